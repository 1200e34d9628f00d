import { request } from "undici";

// One-off requests from the bench itself (readiness, verification, health), never the measured load.

export interface ProbeAnswer {
  status: number;
  text: string;
}

export async function probe(
  url: string,
  options: { method?: "GET" | "POST"; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<ProbeAnswer> {
  const answer = await request(url, {
    method: options.method ?? "GET",
    headers: options.headers,
    body: options.body,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  return { status: answer.statusCode, text: await answer.body.text() };
}

/** Polls until the check passes; fails naming what it waited for. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
