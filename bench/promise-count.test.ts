import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../test/support/wait-for.js";
import { type PreloadedServer, startPreloaded } from "./preloaded-server.fixture.js";

// The preload's count must be the promises a request makes: a server whose handler makes exactly
// three (and awaits none) reads as three per request.

const HANDLER = `
function handle(req, res) {
  Promise.resolve(1);
  Promise.resolve(2);
  new Promise((resolve) => resolve(3));
  res.end("ok");
}
`;

let server: PreloadedServer | undefined;

afterEach(() => {
  server?.stop();
});

describe("bench/promise-count.js", () => {
  it("reports the promises made per request served", async () => {
    server = await startPreloaded("./bench/promise-count.js", HANDLER);
    for (let i = 0; i < 50; i++) await (await fetch(`http://127.0.0.1:${server.port}/`)).text();
    const stderr = () => server?.stderr() ?? "";
    await waitFor(() => /promise-count: 50 requests/.test(stderr()), "the preload's report", 10_000);
    const [, perRequest] = /promise-count: 50 requests, ([\d.]+) promises per request/.exec(stderr()) ?? [];
    expect(Number(perRequest)).toBe(3);
  });
});
