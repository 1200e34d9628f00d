import type { ServerResponse } from "node:http";
import type { Protocol, StreamObserver } from "../protocols/protocol.js";
import type { UpstreamCall } from "../upstream/upstream-call.js";
import { SseFramer } from "./sse-framer.js";

export type RelayOutcome = "completed" | "upstream_failed" | "client_gone";

// Streams the upstream body to the client as it arrives, byte for byte, with the observer reading
// alongside. A full client socket pauses the upstream (backpressure) instead of buffering. A stream
// that breaks upstream ends with the protocol's error event, never as a clean success.
export function relay(
  call: UpstreamCall,
  res: ServerResponse,
  observer: StreamObserver,
  protocol: Protocol,
  streaming: boolean,
  /** Bytes already read (and observed) while the first event was held. */
  held: readonly Buffer[] = [],
): Promise<RelayOutcome> {
  const framer = streaming ? new SseFramer() : undefined;
  const send = (chunk: Buffer): boolean => {
    if (!framer) return res.write(chunk);
    const whole = framer.push(chunk);
    return whole ? res.write(whole) : true;
  };
  for (const chunk of held) send(chunk);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: RelayOutcome) => {
      if (settled) return;
      settled = true;
      res.off("drain", onDrain);
      res.off("close", onClose);
      resolve(outcome);
    };
    const onDrain = () => call.resume();
    const onClose = () => {
      if (res.writableFinished) return;
      call.abort(new Error("client disconnected"));
      settle("client_gone");
    };
    res.on("drain", onDrain);
    res.on("close", onClose);
    call.attach({
      write(chunk) {
        observer.push(chunk);
        return send(chunk);
      },
      end() {
        res.end(framer?.flush());
        settle("completed");
      },
      fail(error) {
        if (settled) return;
        if (streaming) res.end(protocol.streamErrorEvent(`upstream stream failed: ${error.message}`));
        else res.destroy(error);
        settle("upstream_failed");
      },
    });
  });
}
