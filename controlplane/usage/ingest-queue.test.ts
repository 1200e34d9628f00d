import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { type UsageRecord, UsageRecordSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { BatchResult } from "./ingest.js";
import { IngestQueue } from "./ingest-queue.js";

const batch = (...ids: string[]) => ids.map((requestId) => create(UsageRecordSchema, { requestId }));

/** An apply the test releases by hand, recording the groups it was given. */
function gatedApply(fail: (records: readonly UsageRecord[]) => boolean = () => false) {
  const calls: { writer: number; ids: string[][]; release(): void }[] = [];
  const apply = (batches: readonly (readonly UsageRecord[])[], writer: number) =>
    new Promise<BatchResult[]>((resolve, reject) => {
      calls.push({
        writer,
        ids: batches.map((b) => b.map((r) => r.requestId)),
        release: () =>
          batches.some(fail)
            ? reject(new Error("bad batch"))
            : resolve(batches.map((b) => ({ applied: b.length, duplicates: 0 }))),
      });
    });
  return { apply, calls };
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
};

describe("IngestQueue", () => {
  it("applies what arrives while the writers are busy as one group per writer", async () => {
    const { apply, calls } = gatedApply();
    const queue = new IngestQueue(apply, 2, 100);
    const results = [batch("a"), batch("b"), batch("c", "d"), batch("e"), batch("f")].map((b) => queue.submit(b));
    expect(calls.map((c) => c.ids)).toEqual([[["a"]], [["b"]]]);
    calls[0]?.release();
    await until(() => calls.length === 3);
    expect(calls[2]).toMatchObject({ writer: 0, ids: [["c", "d"], ["e"], ["f"]] });
    calls[1]?.release();
    calls[2]?.release();
    expect(await Promise.all(results)).toEqual([1, 1, 2, 1, 1].map((applied) => ({ applied, duplicates: 0 })));
  });

  it("keeps a group within the record budget, whole batches only", async () => {
    const { apply, calls } = gatedApply();
    const queue = new IngestQueue(apply, 1, 3);
    const results = [batch("a"), batch("b", "c"), batch("d"), batch("e", "f", "g", "h")].map((b) => queue.submit(b));
    calls[0]?.release();
    await until(() => calls.length === 2);
    expect(calls[1]?.ids).toEqual([["b", "c"], ["d"]]);
    calls[1]?.release();
    // A batch over the budget still goes, alone.
    await until(() => calls.length === 3);
    expect(calls[2]?.ids).toEqual([["e", "f", "g", "h"]]);
    calls[2]?.release();
    await Promise.all(results);
  });

  it("retries a failed group batch by batch, so only the bad batch fails", async () => {
    const { apply, calls } = gatedApply((records) => records.some((r) => r.requestId === "bad"));
    const queue = new IngestQueue(apply, 1, 100);
    const first = queue.submit(batch("a"));
    const grouped = [batch("b"), batch("bad"), batch("c")].map((b) =>
      queue.submit(b).then(
        (result) => result.applied,
        (error: unknown) => String(error),
      ),
    );
    calls[0]?.release();
    await first;
    for (let call = 1; call <= 4; call++) {
      await until(() => calls.length > call);
      calls[call]?.release();
    }
    expect(calls.slice(1).map((c) => c.ids)).toEqual([[["b"], ["bad"], ["c"]], [["b"]], [["bad"]], [["c"]]]);
    expect(await Promise.all(grouped)).toEqual([1, "Error: bad batch", 1]);
  });

  it("on close, refuses waiting and new batches and awaits the group in flight", async () => {
    const { apply, calls } = gatedApply();
    const queue = new IngestQueue(apply, 1, 100);
    const inFlight = queue.submit(batch("a"));
    const waiting = queue.submit(batch("b"));
    const closed = queue.close();
    await expect(waiting).rejects.toThrow("closed");
    await expect(queue.submit(batch("c"))).rejects.toThrow("closed");
    calls[0]?.release();
    await closed;
    expect(await inFlight).toEqual({ applied: 1, duplicates: 0 });
    expect(calls).toHaveLength(1);
  });
});
