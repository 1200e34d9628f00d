import { cp as copyDir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../common/ids.js";
import {
  planeClient,
  planeTransport,
  startTestControlPlane,
  type TestControlPlane,
} from "../controlplane/test-support.js";
import { UsageReporter } from "../dataplane/sync/usage-reporter.js";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import { type UsageBatch, type UsageRecord, UsageRecordSchema } from "../gen/tollgate/plane/v1/plane_pb.js";
import {
  billedState,
  createPaidTenant,
  expectTotalsMatchLogs,
  freePort,
  MODEL,
  type PaidTenant,
  setPrice,
} from "./support/accounting.js";

// A spool delivered twice — a copy restored from a backup, or a crash after the control plane
// committed a batch but before the data plane saw the ack — bills once, through the real control plane.

let cp: TestControlPlane;
let tenant: PaidTenant;
let root: string;
const log = () => {};
const backoff = { initialMs: 20, maxMs: 100 };

beforeAll(async () => {
  cp = await startTestControlPlane("postgres");
  await setPrice(cp.admin);
  tenant = await createPaidTenant(cp.admin, "http://127.0.0.1:9", { rateMultiplier: "1.5" });
  root = await mkdtemp(join(tmpdir(), "tollgate-redelivery-"));
});

afterAll(async () => {
  await cp?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

function usage(n: number): UsageRecord {
  return create(UsageRecordSchema, {
    requestId: newId(),
    apiKeyId: tenant.keyId,
    userId: tenant.userId,
    groupId: tenant.groupId,
    model: MODEL,
    platform: Platform.ANTHROPIC,
    inputTokens: BigInt(1000 + n),
    outputTokens: BigInt(200 + n),
    cacheReadTokens: BigInt(5000 * n),
    statusCode: 200,
  });
}

describe("usage delivered twice", () => {
  it("is billed once: the second delivery is acked as duplicates and changes nothing", async () => {
    const first = join(root, "first");
    const copy = join(root, "copy");
    const unreachable = planeClient(planeTransport(`http://127.0.0.1:${await freePort()}`));
    const offline = await UsageReporter.open({ client: unreachable, log, spoolDir: first, backoff });
    offline.start();
    const records = [1, 2, 3, 4, 5].map(usage);
    for (const record of records) offline.submit(record);
    expect(await offline.drain(300)).toBe(false);
    await offline.stop();
    await copyDir(first, copy, { recursive: true });

    const client = planeClient(planeTransport(cp.running.planeUrl));
    const online = await UsageReporter.open({ client, log, spoolDir: first, backoff });
    expect(online.backlog).toBe(5);
    online.start();
    expect(await online.drain(15_000)).toBe(true);
    await online.stop();
    const once = await billedState(cp.databaseUrl as string, [tenant]);
    expect(once.logs.map((l) => l.request_id).sort()).toEqual(records.map((r) => r.requestId).sort());
    expectTotalsMatchLogs(once, [tenant]);

    const again = await UsageReporter.open({ client, log, spoolDir: copy, backoff });
    expect(again.backlog).toBe(5);
    again.start();
    expect(await again.drain(15_000)).toBe(true);
    await again.stop();
    expect(await billedState(cp.databaseUrl as string, [tenant])).toEqual(once);

    const acked = await UsageReporter.open({ client, log, spoolDir: copy, backoff });
    expect(acked.backlog).toBe(0);
    await acked.stop();
  });
});

describe("a usage stream that stays open", () => {
  it("reports batch after batch without piling up listeners on the stream", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on("warning", onWarning);
    const reporter = await UsageReporter.open({
      client: planeClient(planeTransport(cp.running.planeUrl)),
      log,
      spoolDir: join(root, "long-lived"),
      backoff,
      lingerMs: 0,
    });
    try {
      reporter.start();
      // Each record waits alone for the reporter to wake: well past Node's 10-listener warning.
      for (let i = 0; i < 15; i++) {
        reporter.submit(usage(i));
        expect(await reporter.drain(15_000)).toBe(true);
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain("MaxListenersExceededWarning");
    } finally {
      process.off("warning", onWarning);
      await reporter.stop();
    }
  });
});

describe("a usage backlog", () => {
  it("goes out in batches of 1,000 records, each billed once", async () => {
    const real = planeClient(planeTransport(cp.running.planeUrl));
    const sizes: number[] = [];
    const client: typeof real = {
      ...real,
      reportUsage: (batches, options) =>
        real.reportUsage(
          (async function* () {
            for await (const batch of batches) {
              // The reporter's batches carry their records as the spool's bytes (usage-batch.ts).
              sizes.push((batch as UsageBatch).$unknown?.length ?? 0);
              yield batch;
            }
          })(),
          options,
        ),
    };
    const reporter = await UsageReporter.open({ client, log, spoolDir: join(root, "backlog"), backoff });
    try {
      // Spooled in one turn: all of them are pending together when the reporter starts.
      const records = Array.from({ length: 2300 }, (_, i) => usage(i));
      for (const record of records) reporter.submit(record);
      reporter.start();
      expect(await reporter.drain(30_000)).toBe(true);
      expect(sizes).toEqual([1000, 1000, 300]);
      const billed = await billedState(cp.databaseUrl as string, [tenant]);
      const ids = new Set(records.map((r) => r.requestId));
      expect(billed.logs.filter((l) => ids.has(l.request_id))).toHaveLength(2300);
      expectTotalsMatchLogs(billed, [tenant]);
    } finally {
      await reporter.stop();
    }
  });
});

describe("a usage stream that stops answering", () => {
  it("is opened anew after ackTimeoutMs, and what it swallowed is billed once", async () => {
    const real = planeClient(planeTransport(cp.running.planeUrl));
    // The first stream reaches the control plane, which commits the batch, but its ack never comes
    // back (a proxy in between that stopped forwarding): the data plane hears nothing, and no error.
    let streams = 0;
    let swallowed = 0;
    const client: typeof real = {
      ...real,
      reportUsage: (batches, options) => {
        streams++;
        if (streams > 1) return real.reportUsage(batches, options);
        return (async function* () {
          for await (const _ack of real.reportUsage(batches, options)) swallowed++;
          await new Promise((resolve) => options?.signal?.addEventListener("abort", resolve, { once: true }));
        })();
      },
    };
    const warnings: string[] = [];
    const reporter = await UsageReporter.open({
      client,
      log: (level, message) => level === "warn" && warnings.push(message),
      spoolDir: join(root, "hung"),
      backoff,
      ackTimeoutMs: 300,
    });
    try {
      reporter.start();
      const records = [1, 2, 3].map(usage);
      for (const record of records) reporter.submit(record);
      expect(await reporter.drain(15_000)).toBe(true);
      expect(streams).toBe(2);
      expect(swallowed).toBeGreaterThan(0);
      expect(warnings).toContain("usage stream acked nothing in time; reconnecting");
      const billed = await billedState(cp.databaseUrl as string, [tenant]);
      for (const record of records) {
        expect(billed.logs.filter((l) => l.request_id === record.requestId)).toHaveLength(1);
      }
      expectTotalsMatchLogs(billed, [tenant]);
    } finally {
      await reporter.stop();
    }
  });
});
