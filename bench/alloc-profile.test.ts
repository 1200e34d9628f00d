import { afterEach, describe, expect, it } from "vitest";
import { summarizeAllocations } from "./alloc-summary.js";
import { type PreloadedServer, sampledProfile, startPreloaded } from "./preloaded-server.fixture.js";

// The preload must see what a request allocates, short-lived objects included: a handler that makes
// and drops a 2,000-element array (16 KB of elements) per request reads as about that much.

const HANDLER = `
let kept = 0;
function allocateSome() {
  const values = new Array(2000).fill(1.5);
  kept += values.length;
}
function handle(req, res) {
  allocateSome();
  res.end("ok");
}
`;

let server: PreloadedServer | undefined;

afterEach(() => {
  server?.stop();
});

describe("bench/alloc-profile.js", () => {
  it("writes the bytes each request allocated, by function", async () => {
    server = await startPreloaded("./bench/alloc-profile.js", HANDLER, {
      ALLOC_PROFILE_AFTER: "50",
      ALLOC_PROFILE_MS: "1000",
    });
    const profile = await sampledProfile(server, "alloc-profile");
    expect(profile.requests).toBeGreaterThan(100);
    const summary = summarizeAllocations(profile, process.cwd(), 50);
    const handler = summary.byFunction.find((entry) => entry.name.startsWith("allocateSome"));
    // Sampled: the estimate of 16,016 bytes (elements and header) lands near it.
    expect(handler?.bytesPerRequest).toBeGreaterThan(12_000);
    expect(handler?.bytesPerRequest).toBeLessThan(20_000);
  }, 20_000);
});
