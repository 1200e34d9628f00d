import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type UsageRecord, UsageRecordSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { runModuleScript } from "../../test/support/module-script.js";
import { expectedRecordLine } from "./spool-line.fixture.js";
import type { SpooledRecord } from "./spool-line.js";
import type { SyncLog } from "./sync-log.js";
import { encodeUsageRecord } from "./usage-record-bytes.js";
import { type OpenedSpool, UsageSpool } from "./usage-spool.js";

let dir: string;
let opened: UsageSpool[];
let durable: SpooledRecord[][];
let warnings: Array<{ message: string; detail?: Record<string, unknown> }>;

const log: SyncLog = (level, message, detail) => {
  if (level === "warn") warnings.push({ message, detail });
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tollgate-spool-"));
  opened = [];
  durable = [];
  warnings = [];
});

afterEach(async () => {
  for (const spool of opened) await spool.close();
  await rm(dir, { recursive: true, force: true });
});

function record(n: number): UsageRecord {
  return create(UsageRecordSchema, { requestId: `req-${n}`, apiKeyId: "key", model: "m", inputTokens: BigInt(n) });
}

const ids = (records: readonly { requestId: string }[]) => records.map((r) => r.requestId);

async function openSpool(segmentBytes?: number): Promise<OpenedSpool> {
  const result = await UsageSpool.open({
    dir,
    log,
    segmentBytes,
    onDurable: (batch) => durable.push(batch),
  });
  opened.push(result.spool);
  return result;
}

/** A process that died without closing: its spool is left as it was, files and lock included. */
function abandon(spool: UsageSpool): void {
  opened = opened.filter((s) => s !== spool);
}

async function untilDurable(count: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (durable.flat().length < count) {
    if (Date.now() > deadline) throw new Error(`only ${durable.flat().length} of ${count} records became durable`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function segmentFiles(): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith(".spool")).sort();
}

describe("UsageSpool", () => {
  it("commits a burst of records together and reports them only once they are on disk", async () => {
    const { spool } = await openSpool();
    const seenOnDisk: boolean[] = [];
    durable = [];
    const onDisk = async () => {
      const text = (await Promise.all((await segmentFiles()).map((f) => readFile(join(dir, f), "utf8")))).join("");
      return text;
    };
    for (let n = 0; n < 50; n++) spool.append(record(n));
    expect(durable).toEqual([]);
    await untilDurable(50);
    const text = await onDisk();
    for (const batch of durable) seenOnDisk.push(batch.every((r) => text.includes(expectedRecordLine(r.bytes))));
    expect(seenOnDisk.every(Boolean)).toBe(true);
    expect(ids(durable.flat())).toEqual(ids(Array.from({ length: 50 }, (_, n) => record(n))));
    expect(durable.flat().map((r) => Buffer.from(r.bytes))).toEqual(
      Array.from({ length: 50 }, (_, n) => encodeUsageRecord(record(n))),
    );
    // One request finishing at a time would cost one fsync each; a burst shares them.
    expect(durable.length).toBeLessThanOrEqual(2);
    expect(spool.backlog).toBe(50);
  });

  it("keeps a record until its ack, and replays only unacked records after a restart", async () => {
    const first = await openSpool();
    for (let n = 1; n <= 4; n++) first.spool.append(record(n));
    await untilDurable(4);
    first.spool.ack(["req-2", "req-4", "unknown"]);
    first.spool.ack(["req-2"]);
    expect(first.spool.backlog).toBe(2);
    await first.spool.close();
    opened = [];

    const second = await openSpool();
    expect(ids(second.replayed.map((s) => s.record))).toEqual(["req-1", "req-3"]);
    expect(second.replayed[1]?.record).toEqual(record(3));
    expect(second.replayed[1]?.bytes).toEqual(encodeUsageRecord(record(3)));
    expect(second.spool.backlog).toBe(2);
    second.spool.ack(["req-1", "req-3"]);
    expect(second.spool.backlog).toBe(0);
    await second.spool.close();
    opened = [];

    expect((await openSpool()).replayed).toEqual([]);
  });

  it("writes the turn's lines at its end, or at once for a caller alone, and runs a waiting callback only once they are in the file", async () => {
    const { spool } = await openSpool();
    const calls: string[] = [];
    spool.whenWritten(() => calls.push("nothing queued: at once"));
    expect(calls).toEqual(["nothing queued: at once"]);
    const contents = () =>
      readdirSync(dir)
        .filter((name) => name.endsWith(".spool"))
        .map((name) => readFileSync(join(dir, name), "utf8"))
        .join("");
    const line = (n: number) => expectedRecordLine(encodeUsageRecord(record(n)));

    spool.append(record(1));
    spool.append(record(2));
    expect(contents()).toBe("");
    const seen = new Promise<string>((resolve) => spool.whenWritten(() => resolve(contents())));
    expect(contents()).toBe("");
    expect(await seen).toBe(line(1) + line(2));

    spool.append(record(3));
    spool.whenWritten(
      () => calls.push(`alone: written at once, file ${contents() === line(1) + line(2) + line(3)}`),
      true,
    );
    expect(calls.at(-1)).toBe("alone: written at once, file true");
  });

  it("replays after a crash: records written before it are there without close()", async () => {
    const first = await openSpool();
    first.spool.append(record(1));
    first.spool.append(record(2));
    await untilDurable(2);
    first.spool.ack(["req-1"]);
    first.spool.append(record(3));
    await new Promise<void>((resolve) => first.spool.whenWritten(resolve));
    abandon(first.spool);

    const second = await openSpool();
    expect(ids(second.replayed.map((s) => s.record))).toEqual(["req-2", "req-3"]);
  });

  it("writes what is queued when the process dies of an uncaught exception in the same turn", async () => {
    const script = `
      const { create } = await import("@bufbuild/protobuf");
      const { UsageRecordSchema } = await import(${JSON.stringify(new URL("../../gen/tollgate/plane/v1/plane_pb.js", import.meta.url).href)});
      const { UsageSpool } = await import(${JSON.stringify(new URL("./usage-spool.js", import.meta.url).href)});
      const { spool } = await UsageSpool.open({ dir: ${JSON.stringify(dir)}, log: () => {}, onDurable: () => {} });
      spool.append(create(UsageRecordSchema, { requestId: "req-crash", apiKeyId: "key", model: "m" }));
      throw new Error("crashed before the turn ended");
    `;
    const { code, stderr } = await runModuleScript(script);
    expect(stderr).toContain("crashed before the turn ended");
    expect(code).toBe(1);
    const { replayed } = await openSpool();
    expect(ids(replayed.map((s) => s.record))).toEqual(["req-crash"]);
  });

  it("skips a torn last line and keeps writing in a fresh segment", async () => {
    const first = await openSpool();
    for (let n = 1; n <= 3; n++) first.spool.append(record(n));
    await untilDurable(3);
    abandon(first.spool);
    const [last] = (await segmentFiles()).slice(-1);
    const torn = expectedRecordLine(encodeUsageRecord(record(4)));
    await appendFile(join(dir, last as string), torn.slice(0, torn.length - 9));

    const second = await openSpool();
    expect(ids(second.replayed.map((s) => s.record))).toEqual(["req-1", "req-2", "req-3"]);
    expect(warnings).toEqual([expect.objectContaining({ detail: expect.objectContaining({ lines: 1 }) })]);
    second.spool.append(record(5));
    await untilDurable(4);
    abandon(second.spool);

    const third = await openSpool();
    expect(ids(third.replayed.map((s) => s.record))).toEqual(["req-1", "req-2", "req-3", "req-5"]);
  });

  it("skips a corrupt line in the middle and replays the rest", async () => {
    const first = await openSpool();
    for (let n = 1; n <= 3; n++) first.spool.append(record(n));
    await untilDurable(3);
    abandon(first.spool);
    const path = join(dir, (await segmentFiles())[0] as string);
    const lines = (await readFile(path, "utf8")).split("\n");
    lines[1] = (lines[1] as string).replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    await writeFile(path, lines.join("\n"));

    const second = await openSpool();
    expect(ids(second.replayed.map((s) => s.record))).toEqual(["req-1", "req-3"]);
    expect(warnings).toHaveLength(1);
  });

  it("deletes segments once their records are acked, so the disk holds the backlog and little more", async () => {
    const lineBytes = expectedRecordLine(encodeUsageRecord(record(100))).length;
    const { spool } = await openSpool(lineBytes * 5);
    let maxSegments = 0;
    for (let n = 100; n < 300; n++) {
      spool.append(record(n));
      if (n % 10 === 9) {
        await untilDurable(n - 99);
        // Acks trail the appends by ten records.
        spool.ack(ids(durable.flat()).slice(0, -10));
        await new Promise((resolve) => setTimeout(resolve, 5));
        maxSegments = Math.max(maxSegments, (await segmentFiles()).length);
      }
    }
    expect(spool.backlog).toBe(10);
    expect(maxSegments).toBeLessThanOrEqual(5);
    spool.ack(ids(durable.flat()));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const left = await segmentFiles();
    expect(left.length).toBeLessThanOrEqual(2);
    let bytes = 0;
    for (const name of left) bytes += (await stat(join(dir, name))).size;
    expect(bytes).toBeLessThan(lineBytes * 12);
    await spool.close();
    opened = [];
    expect((await openSpool()).replayed).toEqual([]);
  });

  it("refuses a folder another live process holds, and takes over one whose owner is gone", async () => {
    const sleeper = spawn("sleep", ["30"]);
    try {
      await writeFile(join(dir, "LOCK"), String(sleeper.pid));
      await expect(openSpool()).rejects.toThrow(`is in use by process ${sleeper.pid}`);
    } finally {
      sleeper.kill("SIGKILL");
      await new Promise((resolve) => sleeper.once("exit", resolve));
    }
    const { spool } = await openSpool();
    expect(await readFile(join(dir, "LOCK"), "utf8")).toBe(String(process.pid));
    await spool.close();
    opened = [];
    await expect(stat(join(dir, "LOCK"))).rejects.toThrow();
  });
});
