import type { Interceptor, Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";

/** HTTP/2 PINGs on the connection to the control plane: how a silent one is found out. */
export interface PlaneKeepalive {
  pingIntervalMs: number;
  pingTimeoutMs: number;
}

// WatchConfig is a stream that may carry nothing for hours, and a control plane gone without closing
// the connection (a host powered off, a NAT entry dropped) sends no FIN or RST: without PINGs the data
// plane would serve that config forever and never reconnect. With them, such a connection is closed
// within interval + timeout (45 s) and both streams reopen on a new one. A proxy in between that
// answers "too_many_pings" makes connect-node double the interval.
const DEFAULT_KEEPALIVE: PlaneKeepalive = { pingIntervalMs: 30_000, pingTimeoutMs: 15_000 };

/** The production transport to a control plane's plane port: gRPC over h2c (ReportUsage is bidi). */
export function planeTransportTo(
  baseUrl: string,
  keepalive: PlaneKeepalive = DEFAULT_KEEPALIVE,
): (interceptors: Interceptor[]) => Transport {
  return (interceptors) => createGrpcTransport({ baseUrl, interceptors, ...keepalive });
}
