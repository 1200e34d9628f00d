import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import postgres from "postgres";
import { newId } from "../../common/ids.js";
import { planeTransportTo } from "../../dataplane/plane-transport.js";
import { usageBatch } from "../../dataplane/sync/usage-batch.js";
import { encodeUsageRecord } from "../../dataplane/sync/usage-record-bytes.js";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import {
  PlaneService,
  type UsageBatch,
  type UsageRecord,
  UsageRecordSchema,
} from "../../gen/tollgate/plane/v1/plane_pb.js";
import { adminClient, createTenant, type Tenant } from "../admin.js";
import { runDatabase } from "../interrupt.js";
import { newTokens, startControlPlaneProcess } from "../tollgate-processes.js";

// Usage ingest into PostgreSQL: a control plane of its own (`tollgate controlplane`, fresh database)
// fed over h2c ReportUsage exactly as data planes feed it: full batches (DEFAULT_MAX_BATCH) of records
// in the spool's encoding, sent as those bytes, several batches in flight per stream, acks counted.
// Each record is billed (new log, key quota, user balance), and the rows are counted in the database
// afterwards so a fast answer that stored nothing cannot pass.

export interface IngestSettings {
  durationMs: number;
  /** Concurrent ReportUsage streams, as that many data planes. */
  streams: readonly number[];
  batchSize: number;
  /** Batches sent before waiting for an ack, per stream. */
  window: number;
  tenants: number;
}

export interface IngestRow {
  streams: number;
  recordsPerSec: number;
  /** Records per batch. */
  batchSize: number;
  applied: number;
  batches: number;
  rowsInDatabase: number;
  elapsedMs: number;
}

function record(tenant: Tenant): UsageRecord {
  return create(UsageRecordSchema, {
    requestId: newId(),
    apiKeyId: tenant.keyId,
    userId: tenant.userId,
    accountId: tenant.accountId,
    groupId: tenant.groupId,
    model: "claude-sonnet-4-5",
    platform: Platform.ANTHROPIC,
    inputTokens: 1200n,
    outputTokens: 300n,
    cacheCreationTokens: 0n,
    cacheReadTokens: 20_000n,
    stream: true,
    statusCode: 200,
    durationMs: 2400n,
    firstTokenMs: 600n,
    ipAddress: "127.0.0.1",
    userAgent: "claude-cli/2.1.197 (external, sdk-cli)",
    createdAt: timestampNow(),
    estimated: false,
  });
}

/**
 * The next record of a tenant, in the spool's encoding: its request id new and its created_at the
 * moment it is made, as a data plane's records are. The tenant's record is reused, not built with
 * protobuf-es create() for each (about 20 µs a record here, and the process feeding the control plane
 * took 43% of a CPU of the 2-core machine whose control plane and PostgreSQL it measures). A record
 * once carried its tenant's one created_at: usage_logs' per-filter indexes, which end in created_at,
 * then held runs of equal keys, stored deduplicated and cheaper to insert than a data plane's records.
 */
function encodeNext(record: UsageRecord): Buffer {
  const ms = Date.now();
  record.requestId = newId(ms);
  const createdAt = record.createdAt as NonNullable<UsageRecord["createdAt"]>;
  createdAt.seconds = BigInt(Math.floor(ms / 1000));
  createdAt.nanos = (ms % 1000) * 1_000_000;
  return encodeUsageRecord(record);
}

/** One ReportUsage stream for the duration; resolves with records applied and batches acked. */
async function feed(
  client: Client<typeof PlaneService>,
  tenantRecords: readonly UsageRecord[],
  settings: IngestSettings,
  stopAt: number,
): Promise<{ applied: number; batches: number }> {
  let inFlight = 0;
  let wake: (() => void) | undefined;
  let next = 0;
  async function* batches(): AsyncGenerator<UsageBatch> {
    let batchId = 1n;
    while (performance.now() < stopAt) {
      while (inFlight >= settings.window) await new Promise<void>((resolve) => (wake = resolve));
      if (performance.now() >= stopAt) return;
      inFlight++;
      const encoded = Array.from({ length: settings.batchSize }, () =>
        encodeNext(tenantRecords[next++ % tenantRecords.length] as UsageRecord),
      );
      yield usageBatch(batchId++, encoded);
    }
  }
  let applied = 0;
  let acked = 0;
  const signal = AbortSignal.timeout(Math.ceil(stopAt - performance.now()) + 60_000);
  for await (const ack of client.reportUsage(batches(), { signal })) {
    applied += ack.applied;
    acked++;
    inFlight--;
    wake?.();
  }
  return { applied, batches: acked };
}

export async function runUsageIngest(
  settings: IngestSettings,
  logDir: string,
  workDir: string,
  /** Profile the control plane under `node --cpu-prof` into this folder. */
  cpuProfDir?: string,
): Promise<IngestRow[]> {
  const database = await runDatabase();
  const tokens = newTokens();
  const cp = await startControlPlaneProcess({
    name: "controlplane-ingest",
    tokens,
    databaseUrl: database.url,
    logDir,
    workDir,
    nodeOptions: cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", cpuProfDir] : [],
  });
  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  try {
    const admin = adminClient(cp.adminUrl, tokens.TOLLGATE_ADMIN_TOKEN);
    const tenants: Tenant[] = [];
    for (let i = 0; i < settings.tenants; i++) {
      tenants.push(await createTenant(admin, `ingest-${i}`, Platform.ANTHROPIC, "http://127.0.0.1:9"));
    }
    const tenantRecords = tenants.map(record);
    const bearer: Interceptor = (next) => (req) => {
      req.header.set("authorization", `Bearer ${tokens.TOLLGATE_NODE_TOKEN}`);
      return next(req);
    };
    const rows: IngestRow[] = [];
    for (const streams of settings.streams) {
      const [before] = await sql<{ n: string }[]>`select count(*)::text as n from usage_logs`;
      const clients = Array.from({ length: streams }, () =>
        createClient(PlaneService, planeTransportTo(cp.planeUrl)([bearer])),
      );
      const started = performance.now();
      const stopAt = started + settings.durationMs;
      const results = await Promise.all(clients.map((client) => feed(client, tenantRecords, settings, stopAt)));
      const elapsedMs = performance.now() - started;
      const [after] = await sql<{ n: string }[]>`select count(*)::text as n from usage_logs`;
      const applied = results.reduce((sum, r) => sum + r.applied, 0);
      rows.push({
        streams,
        recordsPerSec: applied / (elapsedMs / 1000),
        batchSize: settings.batchSize,
        applied,
        batches: results.reduce((sum, r) => sum + r.batches, 0),
        rowsInDatabase: Number(after?.n) - Number(before?.n),
        elapsedMs,
      });
    }
    return rows;
  } finally {
    await sql.end();
    await cp.child.stop();
    await database.drop();
  }
}
