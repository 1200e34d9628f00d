import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../test/support/wait-for.js";

// The preload's count must be the promises a request makes: a server whose handler makes exactly
// three (and awaits none) reads as three per request.

const SERVER = `
import { createServer } from "node:http";
const server = createServer((req, res) => {
  Promise.resolve(1);
  Promise.resolve(2);
  new Promise((resolve) => resolve(3));
  res.end("ok");
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill();
});

describe("bench/promise-count.js", () => {
  it("reports the promises made per request served", async () => {
    child = spawn(process.execPath, ["--import", "./bench/promise-count.js", "--input-type=module", "-e", SERVER]);
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [portLine] = (await once(child.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
    const port = Number(portLine.toString().trim());
    for (let i = 0; i < 50; i++) await (await fetch(`http://127.0.0.1:${port}/`)).text();
    await waitFor(() => /promise-count: 50 requests/.test(stderr), "the preload's report", 10_000);
    const [, perRequest] = /promise-count: 50 requests, ([\d.]+) promises per request/.exec(stderr) ?? [];
    expect(Number(perRequest)).toBe(3);
  });
});
