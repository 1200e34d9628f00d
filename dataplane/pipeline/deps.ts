import type { IncomingMessage } from "node:http";
import type { Logger } from "pino";
import type { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import type { Account, GetKeyUsageResponse, UsageRecord } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { ConfigHolder } from "../config/config-holder.js";
import type { RepeatedWarning } from "../log-throttle.js";
import type { DataPlaneMetrics } from "../metrics/data-plane-metrics.js";
import type { Surface } from "../policy/request-view.js";
import type { Protocol } from "../protocols/protocol.js";
import type { AccountMark, FailoverConfig } from "../routing/failover-policy.js";
import type { SessionHasher } from "../routing/session-identity.js";
import type { RuntimeView } from "../store/routing-store.js";
import type { SpendGuard } from "../sync/spend-guard.js";
import type { UpstreamClient } from "../upstream/upstream-client.js";
import type { LeaseKeeper } from "./lease-keeper.js";
import type { SlotQueue } from "./slot-wait.js";

// What the request pipeline depends on (narrow interfaces, wired in dataplane/index.ts) and what a
// route hands it.

export interface ProxyDeps {
  config: ConfigHolder;
  /** The calling key's usage aggregates, from the control plane (GET /v1/usage only). */
  keyUsage(apiKeyId: string): Promise<GetKeyUsageResponse>;
  upstream: UpstreamClient;
  reportUsage(record: UsageRecord): void;
  /** Runs `run` once every usage record reported so far is in the spool file (by the event loop turn's end). */
  whenUsageWritten(run: () => void): void;
  maxBodyBytes: number;
  clientIp(req: IncomingMessage): string;
  log: Logger;
  /** For a warning each request repeats while something it needs is down: written once per interval. */
  warnRepeated: RepeatedWarning;
  hasher: SessionHasher;
  runtime: RuntimeView;
  slots: SlotQueue;
  leases: LeaseKeeper;
  failover: FailoverConfig;
  /** Records what the failover policy decided about an account, for every data plane and the admins. */
  markAccount(account: Account, mark: AccountMark): void;
  /** Binds a session to an account (a response id a later request may continue from); best effort. */
  bindSession(groupId: string, sessionKey: string, accountId: string): void;
  /**
   * The account with usable credentials: at once, or a promise when an OAuth token about to expire is
   * refreshed first.
   */
  credentialsFor(account: Account, options?: { forceRefresh?: boolean }): Account | Promise<Account>;
  metrics: Pick<DataPlaneMetrics, "platform" | "upstreamFailed">;
  /** This data plane's spend not yet billed: admits a request only while its quota and balance can bear it. */
  spend: Pick<SpendGuard, "admit" | "reserveShared" | "finishShared">;
}

export interface ProxyRoute {
  surface: Surface;
  protocol: Protocol;
  /** The provider path (a mirror prefix removed). */
  upstreamPath: string;
  /** The query string with its "?", or "". */
  search: string;
  /** Group platforms this surface serves. */
  platforms: readonly Platform[];
  /** False for requests that cost nothing upstream (count_tokens): no usage record. */
  billable: boolean;
}
