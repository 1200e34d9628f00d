import { afterEach, describe, expect, it } from "vitest";
import { loadUntil, type PreloadedServer, startPreloaded } from "./preloaded-server.fixture.js";

// What a request leaves behind for half a second (a 16 KB array, as a usage record waits for its ack)
// must read as bytes reaching the old generation; what it drops at once must not. The server's young
// generation is kept small, so scavenges come every few dozen requests however slowly they arrive
// (on a loaded machine a default one collected so rarely that kept arrays died young).

const KEEPS = `
const kept = [];
function handle(req, res) {
  const now = Date.now();
  kept.push({ values: new Array(2000).fill(0), at: now });
  while (kept.length > 0 && now - kept[0].at > 500) kept.shift();
  res.end("ok");
}
`;
const DROPS = `
let sum = 0;
function handle(req, res) {
  const values = new Array(2000).fill(0);
  sum += values.length;
  res.end("ok");
}
`;

const LINE =
  /gc-profile: (\d+) requests; scavenges (\d+), [\d.]+ µs\/req; mark-compacts \d+, [\d.]+ µs\/req; other \d+, [\d.]+ µs\/req; into the old generation (\d+) B\/req/;

let server: PreloadedServer | undefined;

afterEach(() => {
  server?.stop();
});

async function profile(handler: string): Promise<{ requests: number; scavenges: number; oldBytes: number }> {
  server = await startPreloaded("./bench/gc-profile.js", handler, {
    GC_PROFILE_AFTER: "50",
    GC_PROFILE_MS: "1500",
    NODE_OPTIONS: "--max-semi-space-size=1",
  });
  const [, requests, scavenges, oldBytes] = await loadUntil(server, LINE);
  server.stop();
  return { requests: Number(requests), scavenges: Number(scavenges), oldBytes: Number(oldBytes) };
}

describe("bench/gc-profile.js", () => {
  it("counts what outlives the young generation per request", async () => {
    const keeps = await profile(KEEPS);
    const drops = await profile(DROPS);
    for (const run of [keeps, drops]) {
      expect(run.requests).toBeGreaterThan(100);
      expect(run.scavenges).toBeGreaterThan(0);
    }
    // The kept array is 16,016 bytes and its object a few dozen more; those of the last scavenges of
    // the window are not promoted yet.
    expect(keeps.oldBytes).toBeGreaterThan(10_000);
    expect(keeps.oldBytes).toBeLessThan(24_000);
    expect(drops.oldBytes).toBeLessThan(2_000);
  }, 30_000);
});
