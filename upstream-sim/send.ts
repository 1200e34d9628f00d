import type { ServerResponse } from "node:http";
import type { ResponsePlan } from "./plan.js";
import type { Outcome } from "./types.js";

/** An SSE comment, ignored by every SSE parser, that starts a stamped write. */
export const SENT_AT = ": sent-at ";

/**
 * Writes a plan: headers, then frames, batching every run of frames that needs no pause into one
 * write. Calls `done` once with how it ended; a client that goes away stops the timers. With `stamp`,
 * each write after a pause starts with `: sent-at <process.hrtime in ns>`.
 */
export function sendPlan(
  res: ServerResponse,
  plan: ResponsePlan,
  done: (outcome: Outcome) => void,
  stamp = false,
): void {
  let index = 0;
  let timer: NodeJS.Timeout | undefined;
  let finished = false;
  const finish = (outcome: Outcome) => {
    if (finished) return;
    finished = true;
    if (timer) clearTimeout(timer);
    done(outcome);
  };
  res.on("close", () => finish(res.writableFinished ? "complete" : "aborted"));

  const pauseBefore = (i: number) => (i > 0 && i >= plan.delayedFrom && i < plan.delayedTo ? plan.chunkDelayMs : 0);

  const pump = (afterPause: boolean) => {
    timer = undefined;
    if (finished || res.destroyed) return;
    let batch = plan.frames[index++] ?? "";
    if (stamp && afterPause) batch = `${SENT_AT}${process.hrtime.bigint()}\n${batch}`;
    while (index < plan.frames.length && pauseBefore(index) === 0) batch += plan.frames[index++];
    if (index < plan.frames.length) {
      res.write(batch);
      timer = setTimeout(pump, pauseBefore(index), true);
      return;
    }
    if (plan.ending === "end") {
      res.end(batch);
      return;
    }
    // A cut: flush what was written, then drop the connection without ending the body.
    res.flushHeaders();
    res.write(batch, () => {
      finish("cut");
      res.destroy();
    });
  };

  res.writeHead(plan.status, plan.headers);
  pump(false);
}
