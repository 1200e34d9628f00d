import type { CredentialsCipher } from "./accounts/credentials-cipher.js";
import type { ChangeFeed } from "./config/change-feed.js";
import type { ConfigWriter } from "./config/config-writer.js";
import type { PlaneWatchers } from "./config/plane-watchers.js";
import type { Db } from "./db/database.js";
import type { IngestQueue } from "./usage/ingest-queue.js";
import type { UsageVersions } from "./usage/usage-versions.js";

/** Structured log lines ({ level, msg, ... }); never given a secret. */
export type Log = (line: Record<string, unknown>) => void;

/** What the RPC services share. */
export interface ServiceContext {
  readonly db: Db;
  readonly change: ConfigWriter;
  readonly feed: ChangeFeed;
  /** Connected data planes and their config versions (metrics). */
  readonly watchers: PlaneWatchers;
  /** Applies usage batches, grouped across streams (ReportUsage). */
  readonly usageIngest: IngestQueue;
  /** Publishes billed quota_used and balances to data planes (ReportUsage waits for it before acking). */
  readonly usageVersions: UsageVersions;
  readonly cipher: CredentialsCipher;
  readonly allowPrivateUpstreams: boolean;
  readonly log: Log;
  /** Ends long-lived streams (WatchConfig) when the control plane closes. */
  readonly shutdown: AbortSignal;
}

// One admin token, so one actor; the audit log keeps the field for per-admin tokens later.
export const ADMIN_ACTOR = "admin";
