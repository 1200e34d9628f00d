// A preload that counts the promises a process makes per HTTP request it serves: a measure of async
// steps that, unlike CPU time, a slow or busy machine does not blur. Every two seconds, once it has
// served a request, it writes one line to stderr (the figure counts from the first request on):
//   promise-count: 73550 requests, 17.08 promises per request
// Usage (JavaScript, so it loads before the TypeScript loader):
//   NODE_OPTIONS=--import=./bench/promise-count.js npm run bench -- --only saturation --contenders floor,dataplane
// then read the last such line of each contender's log (bench/results/<run>/logs/<name>.log). With
// the hook installed V8 also makes the promise an await on a native promise otherwise skips, so
// compare counts with each other, not with a process that runs without it.
import { subscribe } from "node:diagnostics_channel";
import { promiseHooks } from "node:v8";

let promises = 0;
let requests = 0;
// Counted from the first request on: start-up (module loading, connecting) is not a request's.
let beforeFirst = 0;
promiseHooks.onInit(() => {
  promises++;
});
subscribe("http.server.request.start", () => {
  if (requests === 0) beforeFirst = promises;
  requests++;
});
setInterval(() => {
  if (requests === 0) return;
  const perRequest = (promises - beforeFirst) / requests;
  process.stderr.write(`promise-count: ${requests} requests, ${perRequest.toFixed(2)} promises per request\n`);
}, 2_000).unref();
