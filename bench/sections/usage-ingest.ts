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

// Where the request id sits in an encoded record: field 1 comes first (tag 0x0a), then its length.
const REQUEST_ID_TAG = 0x0a;
const REQUEST_ID_LENGTH = newId().length;

/**
 * A tenant's record, encoded once by the spool's encoder. Each record sent is a copy with a new request
 * id written over the template's: building each one with protobuf-es create() and encoding it cost about
 * 20 µs a record here, and the process feeding the control plane took 43% of a CPU of the 2-core
 * machine whose control plane and PostgreSQL it measures (data planes build their records elsewhere).
 */
function template(tenant: Tenant): Buffer {
  const bytes = Buffer.from(encodeUsageRecord(record(tenant)));
  if (bytes[0] !== REQUEST_ID_TAG || bytes[1] !== REQUEST_ID_LENGTH) {
    throw new Error("usage-ingest: an encoded record no longer starts with its request id");
  }
  return bytes;
}

function withNewRequestId(template: Buffer): Buffer {
  const bytes = Buffer.from(template);
  bytes.write(newId(), 2, "latin1");
  return bytes;
}

/** One ReportUsage stream for the duration; resolves with records applied and batches acked. */
async function feed(
  client: Client<typeof PlaneService>,
  templates: readonly Buffer[],
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
      const records = Array.from({ length: settings.batchSize }, () =>
        withNewRequestId(templates[next++ % templates.length] as Buffer),
      );
      yield usageBatch(batchId++, records);
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
    const templates = tenants.map(template);
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
      const results = await Promise.all(clients.map((client) => feed(client, templates, settings, stopAt)));
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
