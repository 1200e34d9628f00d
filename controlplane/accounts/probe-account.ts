import { lookup } from "node:dns";
import { Agent, request } from "undici";
import { isPrivateAddress } from "./base-url.js";
import { buildProbeRequest, type ProbeTarget } from "./probe-request.js";

export interface ProbeResult {
  ok: boolean;
  statusCode: number;
  latencyMs: number;
  message: string;
}

const TIMEOUT_MS = 15_000;
const MAX_MESSAGE = 300;

/**
 * A connection that refuses private addresses after DNS resolution, so a public-looking name cannot
 * point the probe at an internal service (DESIGN §7).
 */
function guardedAgent(allowPrivate: boolean): Agent {
  return new Agent({
    connect: {
      timeout: TIMEOUT_MS,
      lookup(hostname, options, callback) {
        lookup(hostname, { ...options, all: true }, (error, addresses) => {
          if (error) return callback(error, []);
          const refused = addresses.find((a) => !allowPrivate && isPrivateAddress(a.address));
          if (refused) return callback(new Error(`${hostname} resolves to non-public ${refused.address}`), []);
          if (options.all) return callback(null, addresses);
          const [first] = addresses;
          return callback(null, first?.address ?? "", first?.family ?? 4);
        });
      },
    },
  });
}

/** The upstream's own error message when it sent one, else the start of the body. */
function describe(statusCode: number, body: string): string {
  if (statusCode >= 200 && statusCode < 300) return `upstream answered ${statusCode}`;
  let text = body;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const candidate = typeof parsed.error === "string" ? parsed.error : (parsed.error?.message ?? parsed.message);
    if (typeof candidate === "string") text = candidate;
  } catch {
    // Not JSON: keep the raw text.
  }
  return `upstream answered ${statusCode}: ${text.trim()}`;
}

/** Never lets a credential through, even when an upstream echoes it back. */
function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join("***");
  return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE)}...` : out;
}

export async function probeAccount(target: ProbeTarget, allowPrivate: boolean): Promise<ProbeResult> {
  const probe = buildProbeRequest(target);
  const secrets = [target.secrets.apiKey, target.secrets.accessToken, target.secrets.refreshToken];
  const agent = guardedAgent(allowPrivate);
  const started = performance.now();
  try {
    const response = await request(probe.url, {
      method: "POST",
      headers: probe.headers,
      body: probe.body,
      dispatcher: agent,
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = await response.body.text();
    const statusCode = response.statusCode;
    return {
      ok: statusCode >= 200 && statusCode < 300,
      statusCode,
      latencyMs: Math.round(performance.now() - started),
      message: redact(describe(statusCode, body), secrets),
    };
  } catch (error) {
    const reason =
      error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    return {
      ok: false,
      statusCode: 0,
      latencyMs: Math.round(performance.now() - started),
      message: redact(`request failed: ${reason}`, secrets),
    };
  } finally {
    await agent.close();
  }
}
