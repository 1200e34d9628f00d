import type { Http2Session } from "node:http2";

/** HTTP/2 PINGs on each data plane's connection: how one gone without closing it is found out. */
export interface SessionKeepalive {
  pingIntervalMs: number;
  pingTimeoutMs: number;
}

// A data plane gone without a FIN or a RST keeps its WatchConfig and ReportUsage streams open here,
// and its line in tollgate_dataplane_config_version, until TCP gives up on data it cannot deliver:
// many minutes, and never while the config does not change. An unanswered PING closes its session.
export const DEFAULT_SESSION_KEEPALIVE: SessionKeepalive = { pingIntervalMs: 30_000, pingTimeoutMs: 15_000 };

export function keepSessionAlive(session: Http2Session, keepalive: SessionKeepalive): void {
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
