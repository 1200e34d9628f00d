/**
 * A raw Messages request to a data plane: for statuses, headers and stream text that the Anthropic SDK
 * would turn into exceptions or parse away. A string body is sent as it is (malformed JSON included).
 */
export function postMessages(baseUrl: string, apiKey: string, body: unknown): Promise<Response> {
  return fetch(`${baseUrl}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": apiKey, "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
