// The data-plane listener's limits against slow or abusive clients (README "Operating").
//
// node:http's requestTimeout only covers receiving the request (headers and body): it stops once the
// body is in, so it never cuts a long response stream. A stream is bounded instead by the upstream's
// body-idle timeout, and a client that stops reading by clientIdleTimeoutMs (the relay stops writing
// once the client's socket is full, and the client is dropped if it stays full that long, which frees
// its upstream connection and account slot). There is deliberately no limit on a stream's total
// length: LLM answers can run for many minutes.

export interface ServerLimits {
  /** Largest request head (node's maxHeaderSize). */
  maxHeaderBytes: number;
  /** Time to receive the request head (slowloris). */
  headersTimeoutMs: number;
  /** Time to receive the whole request, body included. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number;
  /** A client whose socket stays full (it reads nothing) this long is dropped; 0 = never. */
  clientIdleTimeoutMs: number;
  /** On SIGTERM, /readyz fails this long before the listener stops accepting (load balancers notice). */
  drainDelayMs: number;
  /** In-flight requests and streams get this long to finish after SIGTERM; then they are cut. */
  shutdownTimeoutMs: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxHeaderBytes: 32 * 1024,
  headersTimeoutMs: 60_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 65_000,
  clientIdleTimeoutMs: 600_000,
  drainDelayMs: 0,
  shutdownTimeoutMs: 60_000,
};
