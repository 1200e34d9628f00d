// A preload that says how long a proxy holds a request itself, the wait for its upstream left out:
// from the request's arrival to its upstream request's head leaving (before), and from the upstream
// answer's head to the response finished (after, which also holds the answer's body arriving).
// wrk's p50 at 500 requests/s swings by a tenth of a millisecond between rounds as the machine
// drifts; measured inside the process, this holds steadier and says which side of the upstream the
// time goes to. Only requests served alone count (no other request in the process from their arrival
// to their end), so each phase is the request's own; of a request that tried several upstreams, the
// first exchange's wait is left out. That wait, from the upstream request's head leaving to the
// answer's head, is reported apart: it says whether one proxy's upstream took longer to answer. For
// undici-based proxies (the data plane, the floor). Every 1,000 such requests (OWN_TIME_WINDOW) it
// writes one line to stderr, medians in µs:
//   own-time: 1000 requests served alone; own p50 254 (p25 221, p75 301); before the upstream 118, after its answer 133; upstream wait 430
// Usage (JavaScript, so it loads before the TypeScript loader):
//   NODE_OPTIONS=--import=./bench/own-time.js npm run bench -- --only latency --workloads anthropic --contenders floor,dataplane
// then read the lines in each contender's log (bench/results/<run>/logs/<name>.log).
import { subscribe } from "node:diagnostics_channel";

const WINDOW = Number(process.env.OWN_TIME_WINDOW ?? 1000);
const active = new Set();
/** The request being served alone, while it is. */
let alone;
let before = [];
let after = [];
let waits = [];

subscribe("http.server.request.start", ({ response }) => {
  alone = active.size === 0 ? { response, start: performance.now(), sent: undefined, answered: undefined } : undefined;
  active.add(response);
  response.once("close", () => active.delete(response));
});
subscribe("undici:client:sendHeaders", () => {
  if (alone && alone.sent === undefined) alone.sent = performance.now();
});
subscribe("undici:request:headers", () => {
  if (alone?.sent !== undefined && alone.answered === undefined) alone.answered = performance.now();
});
subscribe("http.server.response.finish", ({ response }) => {
  const served = alone;
  if (served?.response !== response) return;
  alone = undefined;
  if (served.answered === undefined) return;
  before.push(served.sent - served.start);
  after.push(performance.now() - served.answered);
  waits.push(served.answered - served.sent);
  if (before.length >= WINDOW) report();
});

function report() {
  const own = before.map((value, i) => value + after[i]);
  const line =
    `own-time: ${own.length} requests served alone; own p50 ${quantile(own, 0.5)} ` +
    `(p25 ${quantile(own, 0.25)}, p75 ${quantile(own, 0.75)}); ` +
    `before the upstream ${quantile(before, 0.5)}, after its answer ${quantile(after, 0.5)}; ` +
    `upstream wait ${quantile(waits, 0.5)}`;
  process.stderr.write(`${line}\n`);
  before = [];
  after = [];
  waits = [];
}

/** In whole µs, of durations in ms. */
function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length * q)] ?? 0) * 1000);
}
