// GET /v1/models in OpenAI's shape, and the models an OpenAI account serves when the operator lists none.
export const OPENAI_DEFAULT_MODELS = ["gpt-5", "gpt-5-codex", "gpt-5-mini", "gpt-4.1", "gpt-4o"] as const;

export function openaiModelList(ids: readonly string[]): string {
  return JSON.stringify({
    object: "list",
    data: ids.map((id) => ({ id, object: "model", created: 1_735_689_600, owned_by: "tollgate" })),
  });
}
