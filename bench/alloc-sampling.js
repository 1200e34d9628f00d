// What bench/alloc-profile.js and bench/survivor-profile.js share: a sampling heap profile over a
// window of HTTP requests (request-window.js), written to <tmpdir>/<name>-<pid>.json with the number
// of requests served meanwhile, and a line on stderr naming the file.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onRequestWindow } from "./request-window.js";

// Bytes between samples: V8's default (512 KB) leaves a request's few KB mostly unseen.
const SAMPLING_INTERVAL = 256;

/**
 * `survivors`: keep only the samples of objects no young-generation collection freed. Those freed
 * by a mark-compact, which collects the young generation too, stay in: mostly objects promoted
 * before they died, plus whatever young garbage a mark-compact in the window met.
 */
export function sampleAllocations(name, { survivors }) {
  const session = new Session();
  session.connect();
  const fail = (error) => process.stderr.write(`${name}: ${error.message}\n`);
  const write = (sampled) =>
    session.post("HeapProfiler.stopSampling", (error, result) => {
      if (error) return fail(error);
      const path = join(tmpdir(), `${name}-${process.pid}.json`);
      writeFileSync(path, JSON.stringify({ requests: sampled, profile: result.profile }));
      process.stderr.write(`${name}: ${sampled} requests sampled, written to ${path}\n`);
    });
  onRequestWindow(
    {
      after: Number(process.env.ALLOC_PROFILE_AFTER ?? 5000),
      durationMs: Number(process.env.ALLOC_PROFILE_MS ?? 5000),
    },
    () =>
      session.post(
        "HeapProfiler.startSampling",
        {
          samplingInterval: SAMPLING_INTERVAL,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: !survivors,
        },
        (error) => error && fail(error),
      ),
    (sampled) => {
      if (survivors) collectYoungGarbage(name);
      write(sampled);
    },
  );
}

/**
 * What died since the last scavenge is still in the young generation, uncollected, and would count as
 * surviving: two scavenges free it (the second, what the first only moved), so only what outlives a
 * request is left. Needs --expose-gc.
 */
function collectYoungGarbage(name) {
  if (typeof globalThis.gc !== "function") {
    process.stderr.write(`${name}: no --expose-gc: the young generation's last garbage counts as surviving\n`);
    return;
  }
  globalThis.gc({ type: "minor" });
  globalThis.gc({ type: "minor" });
}
