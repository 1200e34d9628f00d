// GET /v1beta/models in Gemini's shape, and the models a Gemini account serves when the operator lists none.
export const GEMINI_DEFAULT_MODELS = [
  "gemini-3-pro",
  "gemini-3.8-flash",
  "gemini-3.5-flash-lite",
  "gemini-2.5-pro",
  "gemini-2.5-flash",
] as const;

export function geminiModelList(ids: readonly string[]): string {
  return JSON.stringify({
    models: ids.map((id) => ({
      name: `models/${id}`,
      baseModelId: id,
      displayName: id,
      supportedGenerationMethods: ["generateContent", "streamGenerateContent", "countTokens"],
    })),
  });
}
