import type { Interceptor, Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";

/** The production transport to a control plane's plane port: gRPC over h2c (ReportUsage is bidi). */
export function planeTransportTo(baseUrl: string): (interceptors: Interceptor[]) => Transport {
  return (interceptors) => createGrpcTransport({ baseUrl, interceptors });
}
