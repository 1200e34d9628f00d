import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, rmSync } from "node:fs";
import { expect } from "vitest";
import type { AllocProfile } from "./alloc-summary.js";

// A node:http server for a preload's test, run in a process of its own under the preload, whose
// report lines go to stderr. `handlerModule` is module code defining `handle(req, res)`.

export interface PreloadedServer {
  port: number;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  stop(): void;
}

export async function startPreloaded(
  preload: string,
  handlerModule: string,
  env: Record<string, string> = {},
): Promise<PreloadedServer> {
  const source = `import { createServer } from "node:http";
${handlerModule}
const server = createServer(handle);
server.listen(0, "127.0.0.1", () => console.log(server.address().port));`;
  const child: ChildProcess = spawn(process.execPath, ["--import", preload, "--input-type=module", "-e", source], {
    env: { ...process.env, ...env },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [portLine] = (await once(child.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
  return { port: Number(portLine.toString().trim()), stderr: () => stderr, stop: () => child.kill() };
}

/**
 * Requests from the server, one at a time, until its stderr matches `report` (a preload's line): the
 * match. The test's timeout bounds it.
 */
export async function loadUntil(server: PreloadedServer, report: RegExp): Promise<RegExpExecArray> {
  for (;;) {
    const match = report.exec(server.stderr());
    if (match) return match;
    await (await fetch(`http://127.0.0.1:${server.port}/`)).text();
  }
}

/**
 * Loads the server until its sampling preload (alloc-profile.js, survivor-profile.js) names the file it
 * wrote, and reads that file (then removed): the profile, with the requests it says it sampled.
 */
export async function sampledProfile(server: PreloadedServer, preload: string): Promise<AllocProfile> {
  const [, requests, path] = await loadUntil(
    server,
    new RegExp(`${preload}: (\\d+) requests sampled, written to (\\S+)`),
  );
  const profile = JSON.parse(readFileSync(path as string, "utf8")) as AllocProfile;
  rmSync(path as string);
  expect(profile.requests).toBe(Number(requests));
  return profile;
}
