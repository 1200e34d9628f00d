import { Agent } from "undici";
import { UpstreamCall, type UpstreamRequest } from "./upstream-call.js";

// Connection pools to upstreams (one keep-alive pool per origin inside the agent) and the timeouts
// every upstream call gets. undici 7 follows no redirects without its redirect interceptor, which is
// never installed: a redirect is passed back like any other answer.

export interface UpstreamTimeouts {
  connectMs: number;
  /** Until the response head arrives (time to first byte of a stream included). */
  headersMs: number;
  /** Longest silence between body chunks. */
  bodyIdleMs: number;
}

export const DEFAULT_UPSTREAM_TIMEOUTS: UpstreamTimeouts = {
  connectMs: 10_000,
  headersMs: 300_000,
  bodyIdleMs: 300_000,
};

export class UpstreamClient {
  private readonly agent: Agent;

  constructor(timeouts: UpstreamTimeouts = DEFAULT_UPSTREAM_TIMEOUTS) {
    this.agent = new Agent({
      connect: { timeout: timeouts.connectMs },
      headersTimeout: timeouts.headersMs,
      bodyTimeout: timeouts.bodyIdleMs,
      keepAliveTimeout: 30_000,
    });
  }

  start(request: UpstreamRequest): UpstreamCall {
    const call = new UpstreamCall();
    this.agent.dispatch(
      {
        origin: request.origin,
        path: request.path,
        method: request.method,
        headers: request.headers,
        body: request.body ?? null,
      },
      call,
    );
    return call;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
