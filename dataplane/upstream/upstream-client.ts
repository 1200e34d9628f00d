import { Agent } from "undici";
import { guardedConnector, type Resolver } from "./address-guard.js";
import { UpstreamCall, type UpstreamRequest } from "./upstream-call.js";

// Connection pools to upstreams (one keep-alive pool per origin inside the agent) and the timeouts
// every upstream call gets. undici 7 follows no redirects without its redirect interceptor, which is
// never installed: a redirect is passed back like any other answer. Every new connection goes
// through the address guard (no SSRF through DNS).

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

export interface UpstreamClientOptions {
  timeouts?: UpstreamTimeouts;
  /** TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: loopback and private upstream addresses are allowed. */
  allowPrivate?: boolean;
  /** Name resolution (the system's when absent; tests inject one). */
  resolver?: Resolver;
}

export class UpstreamClient {
  private readonly agent: Agent;

  constructor(options: UpstreamClientOptions = {}) {
    const timeouts = options.timeouts ?? DEFAULT_UPSTREAM_TIMEOUTS;
    this.agent = new Agent({
      connect: guardedConnector({
        connectTimeoutMs: timeouts.connectMs,
        allowPrivate: options.allowPrivate ?? false,
        resolver: options.resolver,
      }),
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
