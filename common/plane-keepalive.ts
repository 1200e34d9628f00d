// HTTP/2 PINGs on the connection between a data plane and its control plane, sent by both ends. A peer
// gone without a FIN or a RST (a host powered off, a NAT entry dropped) is otherwise never noticed:
// WatchConfig may carry nothing for hours, so a data plane would serve its last config forever, and a
// control plane would keep the vanished data plane's streams and its line in the per-node metrics. An
// unanswered PING closes the connection within interval + timeout (45 s by default).

export interface PlaneKeepalive {
  pingIntervalMs: number;
  pingTimeoutMs: number;
}

export const PLANE_KEEPALIVE: PlaneKeepalive = { pingIntervalMs: 30_000, pingTimeoutMs: 15_000 };
