// bench/alloc-profile.js for what outlives the young generation only: the bytes per request, by the
// function that allocated them, that a scavenge had to copy and that reached the old generation (held
// across requests, like usage records waiting for their ack, or allocated there, like the new table of
// a long-lived Map that rehashes). What those bytes cost is bench/gc-profile.js's to say. Writes
// <tmpdir>/survivor-profile-<pid>.json and says so on stderr:
//   survivor-profile: 41210 requests sampled, written to /tmp/survivor-profile-4242.json
// Usage, with --expose-gc so the window's last young garbage is collected before the profile is taken:
//   NODE_OPTIONS="--expose-gc --import=./bench/survivor-profile.js" npm run bench -- --only saturation --workloads anthropic-stream --contenders floor,dataplane
// then read the file named in each contender's log with bench/alloc-summary.ts.
import { sampleAllocations } from "./alloc-sampling.js";

sampleAllocations("survivor-profile", { survivors: true });
