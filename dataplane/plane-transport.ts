import type { Interceptor, Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { PLANE_KEEPALIVE, type PlaneKeepalive } from "../common/plane-keepalive.js";

/**
 * The production transport to a control plane's plane port: gRPC over h2c (ReportUsage is bidi), with
 * PINGs so a silent control plane is left and both streams reopen on a new connection (a proxy in
 * between that answers "too_many_pings" makes connect-node double the interval).
 */
export function planeTransportTo(
  baseUrl: string,
  keepalive: PlaneKeepalive = PLANE_KEEPALIVE,
): (interceptors: Interceptor[]) => Transport {
  return (interceptors) => createGrpcTransport({ baseUrl, interceptors, ...keepalive });
}
