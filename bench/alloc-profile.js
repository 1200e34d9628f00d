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
// bench/survivor-profile.js is the same for only what outlives the young generation.
import { sampleAllocations } from "./alloc-sampling.js";

sampleAllocations("alloc-profile", { survivors: false });
