// GET /v1/models in Anthropic's shape (clients send anthropic-version), and the models an Anthropic
// account serves when the operator lists none.
export const ANTHROPIC_DEFAULT_MODELS = [
  "claude-opus-4-8",
  "claude-opus-4-5",
  "claude-sonnet-4-5",
  "claude-haiku-4-5",
] as const;

export function anthropicModelList(ids: readonly string[]): string {
  const data = ids.map((id) => ({ type: "model", id, display_name: id, created_at: "2025-01-01T00:00:00Z" }));
  return JSON.stringify({ data, has_more: false, first_id: ids[0] ?? null, last_id: ids.at(-1) ?? null });
}
