// For the measuring preloads (alloc-profile.js, gc-profile.js): runs `start` once the process has
// served `after` HTTP requests (past warm-up) and, `durationMs` later, `stop` with the number of
// requests that arrived meanwhile. Requests are counted on node:http's diagnostics channel, so the
// measured process needs no change.
import { subscribe } from "node:diagnostics_channel";

export function onRequestWindow({ after, durationMs }, start, stop) {
  let requests = 0;
  let startedAt;
  subscribe("http.server.request.start", () => {
    requests++;
    if (startedAt !== undefined || requests < after) return;
    startedAt = requests;
    start();
    setTimeout(() => stop(requests - startedAt), durationMs).unref();
  });
}
