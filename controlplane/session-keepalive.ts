import type { Http2Session } from "node:http2";
import type { PlaneKeepalive } from "../common/plane-keepalive.js";

/** PINGs a data plane's session (common/plane-keepalive.ts) and destroys it when one goes unanswered. */
export function keepSessionAlive(session: Http2Session, keepalive: PlaneKeepalive): void {
  let unanswered: NodeJS.Timeout | undefined;
  const interval = setInterval(() => {
    if (unanswered || session.destroyed) return;
    const sent = session.ping(() => {
      clearTimeout(unanswered);
      unanswered = undefined;
    });
    if (!sent) return;
    unanswered = setTimeout(() => session.destroy(), keepalive.pingTimeoutMs);
    unanswered.unref();
  }, keepalive.pingIntervalMs);
  interval.unref();
  session.once("close", () => {
    clearInterval(interval);
    clearTimeout(unanswered);
  });
}
