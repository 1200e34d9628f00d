import type { Protocol, StreamObserver } from "../protocols/protocol.js";
import type { UpstreamCall } from "../upstream/upstream-call.js";
import type { ClientResponse } from "./client-response.js";
import { SseFramer } from "./sse-framer.js";

export type RelayOutcome = "completed" | "upstream_failed" | "client_gone";

// Streams the upstream body to the client as it arrives, byte for byte, with the observer reading
// alongside. A full client socket pauses the upstream (backpressure) instead of buffering. A stream
// that breaks upstream ends with the protocol's error event, never as a clean success.
//
// `completing` runs before the bytes that complete the answer leave: the chunk after which a stream's
// observer saw its final event (protocol.completionIsFinal), or a body's last chunk (held back until
// the upstream ends). The usage record is spooled there, and those bytes (with the response's end)
// leave only once it calls `written`, when the record's line is in the spool file: so a process
// killed at any moment never leaves a client holding a whole answer that was not billed. A Gemini
// stream, which has no final event, is spooled when the upstream ends, just before the client's
// response is closed.
export function relay(
  call: UpstreamCall,
  client: ClientResponse,
  observer: StreamObserver,
  protocol: Protocol,
  streaming: boolean,
  completing: (written: () => void) => void,
  /** Bytes already read (and observed) while the first event was held. */
  held: readonly Buffer[] = [],
): Promise<RelayOutcome> {
  const { res } = client;
  let settled = false;
  let pendingCompletion: typeof completing | undefined = completing;
  // What is to be sent after `completing` ran and before it called `written`, in order.
  let waiting: Array<() => void> | undefined;
  const complete = () => {
    const run = pendingCompletion;
    if (!run) return;
    pendingCompletion = undefined;
    waiting = [];
    run(() => {
      const actions = waiting ?? [];
      waiting = undefined;
      for (const action of actions) if (!settled) action();
    });
  };
  const write = (chunk: Buffer): boolean => {
    if (waiting) {
      waiting.push(() => res.write(chunk));
      return true;
    }
    if (res.write(chunk)) return true;
    // The client's socket is full: the upstream is paused, and the client dropped if it stays so.
    res.clientBlocked();
    return false;
  };
  const finish = (action: () => void) => {
    if (waiting) waiting.push(action);
    else action();
  };
  const framer = streaming ? new SseFramer() : undefined;
  let last: Buffer | undefined;
  const send = (chunk: Buffer): boolean => {
    if (!framer) {
      const previous = last;
      last = chunk;
      return previous ? write(previous) : true;
    }
    if (observer.completed && protocol.completionIsFinal) complete();
    const whole = framer.push(chunk);
    return whole ? write(whole) : true;
  };
  for (const chunk of held) send(chunk);
  return new Promise((resolve) => {
    const settle = (outcome: RelayOutcome) => {
      if (settled) return;
      settled = true;
      res.off("drain", onDrain);
      client.whenClosed(undefined);
      resolve(outcome);
    };
    const onDrain = () => {
      res.clientCaughtUp();
      call.resume();
    };
    const onClose = () => {
      if (res.writableFinished) return;
      call.abort(new Error("client disconnected"));
      settle("client_gone");
    };
    res.on("drain", onDrain);
    client.whenClosed(onClose);
    call.attach({
      write(chunk) {
        observer.push(chunk);
        return send(chunk);
      },
      end() {
        complete();
        const tail = framer ? framer.flush() : last;
        finish(() => {
          res.end(tail);
          settle("completed");
        });
      },
      fail(error) {
        if (settled) return;
        finish(() => {
          if (streaming) res.end(protocol.streamErrorEvent(`upstream stream failed: ${error.message}`));
          else res.destroy(error);
          settle("upstream_failed");
        });
      },
    });
  });
}
