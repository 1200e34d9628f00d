import { describe, expect, it, vi } from "vitest";
import { TurnBatch } from "./turn-batch.js";

/** A send that records each batch and answers when told to. */
function recorder(answer: (items: readonly number[]) => Promise<readonly string[]>) {
  const batches: number[][] = [];
  const batch = new TurnBatch<number, string>((items) => {
    batches.push([...items]);
    return answer(items);
  });
  return { batch, batches };
}

describe("TurnBatch", () => {
  it("sends the calls of one turn as one batch and answers each with its own result", async () => {
    const { batch, batches } = recorder(async (items) => items.map((n) => `r${n}`));
    const first = await Promise.all([batch.add(1), batch.add(2), batch.add(3)]);
    const second = await batch.add(4);
    expect(first).toEqual(["r1", "r2", "r3"]);
    expect(second).toBe("r4");
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it("sends a deferred call with the turn's batch when there is one, else after its delay", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const { batch, batches } = recorder(async (items) => items.map((n) => `r${n}`));
      const riding = [batch.add(1, 50), batch.add(2)];
      await expect(Promise.all(riding)).resolves.toEqual(["r1", "r2"]);
      expect(batches).toEqual([[1, 2]]);

      const alone = batch.add(3, 50);
      const later = batch.add(4, 50);
      await new Promise((resolve) => setImmediate(resolve));
      expect(batches).toHaveLength(1);
      vi.advanceTimersByTime(50);
      await expect(Promise.all([alone, later])).resolves.toEqual(["r3", "r4"]);
      expect(batches).toEqual([
        [1, 2],
        [3, 4],
      ]);

      // An ordinary call sends the deferred ones queued before it at once.
      const deferred = batch.add(5, 50);
      await expect(Promise.all([deferred, batch.add(6)])).resolves.toEqual(["r5", "r6"]);
      expect(batches.at(-1)).toEqual([5, 6]);
    } finally {
      vi.useRealTimers();
    }
  });

  it.each([
    ["a failed send", async () => Promise.reject(new Error("connection lost")), /connection lost/],
    ["a batch answered short", async () => ["only one"], /a batch of 2 got 1 answers/],
  ])("rejects every call of %s", async (_name, answer, error) => {
    const { batch } = recorder(answer);
    const calls = [batch.add(1), batch.add(2)];
    for (const call of calls) await expect(call).rejects.toThrow(error);
  });

  it("on close, sends what is queued, waits for batches already sent, and refuses later calls", async () => {
    const unanswered: Array<() => void> = [];
    const { batch, batches } = recorder(
      (items) =>
        new Promise((resolve) => {
          unanswered.push(() => resolve(items.map(String)));
        }),
    );
    const sent = batch.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1]]);
    const queued = batch.add(2);
    let closed = false;
    const closing = batch.close().then(() => {
      closed = true;
    });
    expect(batches).toEqual([[1], [2]]);
    // The batch close() sent is answered; the one sent before it is still out.
    unanswered[1]?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    unanswered[0]?.();
    await closing;
    await expect(Promise.all([sent, queued])).resolves.toEqual(["1", "2"]);
    await expect(batch.add(3)).rejects.toThrow(/closed/);
  });
});
