import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { create } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { ApiKeyService } from "../../gen/tollgate/admin/v1/api_key_pb.js";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import { GroupService } from "../../gen/tollgate/admin/v1/group_pb.js";
import { UsageService } from "../../gen/tollgate/admin/v1/usage_pb.js";
import { UserService } from "../../gen/tollgate/admin/v1/user_pb.js";
import { PlaneService, type UsageBatch, UsageBatchSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { createTestDatabase } from "../../test/support/postgres.js";
import { openDatabase } from "../db/database.js";
import { startControlPlane } from "../server.js";
import { timeUsageStats, usageStatsQueries } from "./stats-timing.js";
import { seedSyntheticUsage } from "./synthetic-usage.js";

// Measures usage at scale on a throwaway PostgreSQL database (the server at DATABASE_URL, default
// 127.0.0.1:5432): GetUsageStats over --rows synthetic logs, and ReportUsage ingestion of --ingest
// records over --streams concurrent streams (as many data planes) in batches of --batch.
//   node --import tsx controlplane/usage/measure-usage.ts --rows 1000000 --ingest 200000

const USAGE = `usage: node --import tsx controlplane/usage/measure-usage.ts [--rows N] [--ingest N] [--streams N] [--batch N] [--keys N]`;

const bearer =
  (token: string): Interceptor =>
  (next) =>
  (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };

async function ingest(
  plane: Client<typeof PlaneService>,
  keys: { keyId: string; userId: string; groupId: string }[],
  options: { records: number; streams: number; batch: number },
): Promise<number> {
  const perStream = Math.ceil(options.records / options.streams);
  const run = Date.now().toString(36);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.streams }, async (_, stream) => {
      const batches = (async function* (): AsyncGenerator<UsageBatch> {
        for (let sent = 0, batchId = 0; sent < perStream; sent += options.batch, batchId++) {
          const records = Array.from({ length: Math.min(options.batch, perStream - sent) }, (_, i) => {
            const n = sent + i;
            const key = keys[(n * 7919 + stream) % keys.length] as (typeof keys)[number];
            return {
              requestId: `${run}-${stream}-${n}`,
              apiKeyId: key.keyId,
              userId: key.userId,
              groupId: key.groupId,
              accountId: `acct-${(n + stream) % 8}`,
              model: n % 3 === 0 ? "claude-haiku-4-5" : "claude-sonnet-4-5",
              platform: Platform.ANTHROPIC,
              inputTokens: BigInt(200 + (n % 5000)),
              outputTokens: BigInt(20 + (n % 700)),
              cacheReadTokens: BigInt(n % 30000),
              durationMs: BigInt(300 + (n % 9000)),
              firstTokenMs: 120n,
              statusCode: 200,
              stream: true,
              ipAddress: "127.0.0.1",
              userAgent: "claude-cli/2.1.0 (external, cli)",
            };
          });
          yield create(UsageBatchSchema, { batchId: BigInt(batchId), records });
        }
      })();
      for await (const _ack of plane.reportUsage(batches)) {
        // Each ack: a batch billed and published.
      }
    }),
  );
  return (perStream * options.streams) / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: "string", default: "1000000" },
      ingest: { type: "string", default: "200000" },
      streams: { type: "string", default: "4" },
      batch: { type: "string", default: "500" },
      keys: { type: "string", default: "200" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const database = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), "tollgate-measure-"));
  const running = await startControlPlane({
    databaseUrl: database.url,
    dataDir,
    adminToken: "measure-admin",
    nodeToken: "measure-node",
    secretKey: "measure-secret",
    adminPort: 0,
    planePort: 0,
    log: () => {},
  });
  try {
    const admin = createConnectTransport({
      baseUrl: running.adminUrl,
      httpVersion: "1.1",
      interceptors: [bearer("measure-admin")],
    });
    const rows = Number(values.rows);
    if (rows > 0) {
      const seeding = await openDatabase({ databaseUrl: database.url, pgliteDir: "" });
      const started = performance.now();
      const seeded = await seedSyntheticUsage(seeding.db, { rows });
      await seeding.close();
      process.stdout.write(
        `seeded ${rows} usage logs and their rollups in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      );
      const timings = await timeUsageStats(
        createClient(UsageService, admin),
        usageStatsQueries(seeded.end, "syn-key-7"),
      );
      for (const t of timings) {
        process.stdout.write(
          `GetUsageStats ${t.name.padEnd(40)} ${String(t.buckets).padStart(5)} buckets  median ${t.medianMs.toFixed(1)} ms  max ${t.maxMs.toFixed(1)} ms\n`,
        );
      }
    }
    const records = Number(values.ingest);
    if (records > 0) {
      const users = createClient(UserService, admin);
      const groups = createClient(GroupService, admin);
      const apiKeys = createClient(ApiKeyService, admin);
      const group = await groups.createGroup({ name: "measure", platform: Platform.ANTHROPIC });
      const keys = [];
      for (let i = 0; i < Number(values.keys); i++) {
        const user = await users.createUser({ email: `measure-${i}@example.com`, balanceUsd: "1000000" });
        const key = await apiKeys.createApiKey({ userId: user.user?.id ?? "", groupId: group.group?.id ?? "" });
        keys.push({ keyId: key.apiKey?.id ?? "", userId: user.user?.id ?? "", groupId: group.group?.id ?? "" });
      }
      const plane = createClient(
        PlaneService,
        createConnectTransport({ baseUrl: running.planeUrl, httpVersion: "2", interceptors: [bearer("measure-node")] }),
      );
      const options = { records, streams: Number(values.streams), batch: Number(values.batch) };
      const rate = await ingest(plane, keys, options);
      process.stdout.write(
        `ReportUsage: ${records} records, ${options.streams} streams, batches of ${options.batch}, ${keys.length} keys: ${rate.toFixed(0)} records/s (acked = billed and published)\n`,
      );
    }
  } finally {
    await running.close();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
