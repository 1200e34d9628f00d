import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../test/support/wait-for.js";
import { type AllocProfile, summarizeAllocations } from "./alloc-summary.js";

// The preload must see what a request allocates, short-lived objects included: a handler that makes
// and drops a 2,000-element array (16 KB of elements) per request reads as about that much.

const SERVER = `
import { createServer } from "node:http";
let kept = 0;
function allocateSome() {
  const values = new Array(2000).fill(1.5);
  kept += values.length;
}
const server = createServer((req, res) => {
  allocateSome();
  res.end("ok");
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill();
});

describe("bench/alloc-profile.js", () => {
  it("writes the bytes each request allocated, by function", async () => {
    child = spawn(process.execPath, ["--import", "./bench/alloc-profile.js", "--input-type=module", "-e", SERVER], {
      env: { ...process.env, ALLOC_PROFILE_AFTER: "50", ALLOC_PROFILE_MS: "1000" },
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [portLine] = (await once(child.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
    const port = Number(portLine.toString().trim());
    const written = /alloc-profile: (\d+) requests sampled, written to (\S+)/;
    while (!written.test(stderr)) await (await fetch(`http://127.0.0.1:${port}/`)).text();
    await waitFor(() => written.test(stderr), "the preload's report", 10_000);
    const [, requests, path] = written.exec(stderr) ?? [];
    const profile = JSON.parse(readFileSync(path as string, "utf8")) as AllocProfile;
    rmSync(path as string);
    expect(profile.requests).toBe(Number(requests));
    expect(profile.requests).toBeGreaterThan(100);
    const summary = summarizeAllocations(profile, process.cwd(), 50);
    const handler = summary.byFunction.find((entry) => entry.name.startsWith("allocateSome"));
    // Sampled: the estimate of 16,016 bytes (elements and header) lands near it.
    expect(handler?.bytesPerRequest).toBeGreaterThan(12_000);
    expect(handler?.bytesPerRequest).toBeLessThan(20_000);
  }, 20_000);
});
