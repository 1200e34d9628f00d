// A preload that samples what a process allocates per HTTP request it serves, by the function that
// allocated it, short-lived objects included (a scavenge's garbage is what makes scavenges frequent,
// and V8's own --heap-prof keeps only what is still alive at its end). Once the process has served
// 5,000 requests (past warm-up) it samples for 5 s, writes the profile with the requests served
// meanwhile to <tmpdir>/alloc-profile-<pid>.json and says so on stderr:
//   alloc-profile: 41210 requests sampled, written to /tmp/alloc-profile-4242.json
// Usage (JavaScript, so it loads before the TypeScript loader):
//   NODE_OPTIONS=--import=./bench/alloc-profile.js npm run bench -- --only saturation --workloads anthropic-stream --contenders floor,dataplane
// then find the line in each contender's log (bench/results/<run>/logs/<name>.log) and read the file
// with bench/alloc-summary.ts. ALLOC_PROFILE_AFTER and ALLOC_PROFILE_MS change the two thresholds
// for a process started by hand (the bench passes its children no such variables).
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onRequestWindow } from "./request-window.js";

// Bytes between samples: V8's default (512 KB) leaves a request's few KB mostly unseen.
const SAMPLING_INTERVAL = 256;

const session = new Session();
session.connect();

const fail = (error) => process.stderr.write(`alloc-profile: ${error.message}\n`);

onRequestWindow(
  { after: Number(process.env.ALLOC_PROFILE_AFTER ?? 5000), durationMs: Number(process.env.ALLOC_PROFILE_MS ?? 5000) },
  () =>
    session.post(
      "HeapProfiler.startSampling",
      {
        samplingInterval: SAMPLING_INTERVAL,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      },
      (error) => error && fail(error),
    ),
  (sampled) =>
    session.post("HeapProfiler.stopSampling", (error, result) => {
      if (error) return fail(error);
      const path = join(tmpdir(), `alloc-profile-${process.pid}.json`);
      writeFileSync(path, JSON.stringify({ requests: sampled, profile: result.profile }));
      process.stderr.write(`alloc-profile: ${sampled} requests sampled, written to ${path}\n`);
    }),
);
