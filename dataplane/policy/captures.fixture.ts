import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { RequestView } from "./request-view.js";

// Test fixtures: the real client requests recorded in /work/shared/captures (CLIENTS.md), read as
// RequestViews. One file holds one request or `{requests: [...]}`.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CAPTURES_DIR = path.resolve(repoRoot, "../shared/captures");

interface RawCapture {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers: Record<string, string>;
  body?: unknown;
}

export interface Capture {
  /** "claude-code-1" or, for files with several requests, "sdk-anthropic-1#2". */
  name: string;
  method: string;
  view: RequestView;
}

function toCapture(name: string, raw: RawCapture): Capture {
  return {
    name,
    method: raw.method,
    view: {
      path: raw.path,
      query: new URLSearchParams(raw.query ?? {}),
      headers: raw.headers,
      body: raw.body ?? undefined,
    },
  };
}

export function loadCaptures(): Capture[] {
  const captures: Capture[] = [];
  for (const file of readdirSync(CAPTURES_DIR).sort()) {
    if (!file.endsWith(".json")) continue;
    const name = file.slice(0, -".json".length);
    const parsed = JSON.parse(readFileSync(path.join(CAPTURES_DIR, file), "utf8")) as
      | RawCapture
      | { requests: RawCapture[] };
    if (!("requests" in parsed)) {
      captures.push(toCapture(name, parsed));
      continue;
    }
    for (const [i, raw] of parsed.requests.entries()) captures.push(toCapture(`${name}#${i}`, raw));
  }
  return captures;
}

export function loadCapture(name: string): Capture {
  const capture = loadCaptures().find((c) => c.name === name);
  if (!capture) throw new Error(`no capture named ${name} in ${CAPTURES_DIR}`);
  return capture;
}
