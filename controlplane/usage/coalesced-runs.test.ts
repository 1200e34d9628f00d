import { describe, expect, it } from "vitest";
import { CoalescedRuns } from "./coalesced-runs.js";

/** A task whose runs finish when the test says so. */
function gatedTask() {
  const gates: { finish(error?: Error): void }[] = [];
  const task = () =>
    new Promise<void>((resolve, reject) => {
      gates.push({ finish: (error) => (error ? reject(error) : resolve()) });
    });
  return { task, gates };
}

const settled = (promise: Promise<unknown>) => {
  const state = { done: false, error: undefined as unknown };
  promise.then(
    () => {
      state.done = true;
    },
    (error: unknown) => {
      state.done = true;
      state.error = error;
    },
  );
  return state;
};

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
const until = async (condition: () => boolean) => {
  while (!condition()) await tick();
};

describe("CoalescedRuns", () => {
  it("runs the first request at once and resolves it when that run ends", async () => {
    const { task, gates } = gatedTask();
    const runs = new CoalescedRuns(task, 10_000);
    const first = settled(runs.request());
    expect(gates).toHaveLength(1);
    await tick();
    expect(first.done).toBe(false);
    gates[0]?.finish();
    await until(() => first.done);
    expect(first.error).toBeUndefined();
    await runs.close();
  });

  it("makes requests during a run wait for one shared run that begins after it", async () => {
    const { task, gates } = gatedTask();
    const runs = new CoalescedRuns(task, 20);
    const first = settled(runs.request());
    const during = [settled(runs.request()), settled(runs.request()), settled(runs.request())];
    gates[0]?.finish();
    await until(() => first.done);
    expect(during.every((d) => !d.done)).toBe(true);
    await until(() => gates.length === 2);
    gates[1]?.finish();
    await until(() => during.every((d) => d.done));
    expect(gates).toHaveLength(2);
    await runs.close();
  });

  it("waits out the interval after a run before the next one", async () => {
    const { task, gates } = gatedTask();
    const runs = new CoalescedRuns(task, 300);
    const started = Date.now();
    const first = settled(runs.request());
    gates[0]?.finish();
    await until(() => first.done);
    const second = settled(runs.request());
    expect(gates).toHaveLength(1);
    await until(() => gates.length === 2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    gates[1]?.finish();
    await until(() => second.done);
    await runs.close();
  });

  it("rejects the waiters of a failed run only, and runs again for the next request", async () => {
    const { task, gates } = gatedTask();
    const runs = new CoalescedRuns(task, 10);
    const failed = settled(runs.request());
    gates[0]?.finish(new Error("database away"));
    await until(() => failed.done);
    expect(String(failed.error)).toContain("database away");
    const retried = settled(runs.request());
    await until(() => gates.length === 2);
    gates[1]?.finish();
    await until(() => retried.done);
    expect(retried.error).toBeUndefined();
    await runs.close();
  });

  it("on close, rejects waiting requests, awaits the run in flight and refuses new ones", async () => {
    const { task, gates } = gatedTask();
    const runs = new CoalescedRuns(task, 10_000);
    const inFlight = settled(runs.request());
    const waiting = settled(runs.request());
    const closed = settled(runs.close());
    await until(() => waiting.done);
    expect(String(waiting.error)).toContain("closed");
    expect(closed.done).toBe(false);
    gates[0]?.finish();
    await until(() => closed.done && inFlight.done);
    expect(inFlight.error).toBeUndefined();
    await expect(runs.request()).rejects.toThrow("closed");
    expect(gates).toHaveLength(1);
  });
});
