import { describe, expect, it } from "vitest";
import { pipelined } from "./pipelined.js";

/** A result the test settles by hand. */
function gate<T>() {
  let resolve: (value: T) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

async function* from<T>(items: T[]) {
  yield* items;
}

async function collect<R>(source: AsyncIterable<R>): Promise<{ results: R[]; error?: unknown }> {
  const results: R[] = [];
  try {
    for await (const r of source) results.push(r);
    return { results };
  } catch (error) {
    return { results, error };
  }
}

describe("pipelined", () => {
  it("starts every item before the first result settles, and yields results in input order", async () => {
    const gates = [gate<string>(), gate<string>(), gate<string>()];
    const startedItems: number[] = [];
    const run = collect(
      pipelined(from([0, 1, 2]), async (i) => {
        startedItems.push(i);
        return { result: (gates[i] as ReturnType<typeof gate<string>>).promise };
      }),
    );
    while (startedItems.length < 3) await new Promise((resolve) => setTimeout(resolve, 1));
    gates[2]?.resolve("c");
    gates[1]?.resolve("b");
    gates[0]?.resolve("a");
    expect(await run).toEqual({ results: ["a", "b", "c"] });
  });

  it("yields what was started before a failing start, then its error", async () => {
    const run = await collect(
      pipelined(from([1, 2, 3]), async (i) => {
        if (i === 3) throw new Error("cannot apply 3");
        return { result: Promise.resolve(i * 10) };
      }),
    );
    expect(run.results).toEqual([10, 20]);
    expect(String(run.error)).toContain("cannot apply 3");
  });

  it("ends with the error of a result that rejects", async () => {
    const run = await collect(
      pipelined(from([1, 2, 3]), async (i) => ({
        result: i === 2 ? Promise.reject(new Error("not published")) : Promise.resolve(i),
      })),
    );
    expect(run.results).toEqual([1]);
    expect(String(run.error)).toContain("not published");
  });

  it("ends with the error of the input stream after the results started", async () => {
    async function* broken() {
      yield 1;
      throw new Error("stream reset");
    }
    const run = await collect(pipelined(broken(), async (i) => ({ result: Promise.resolve(i) })));
    expect(run).toMatchObject({ results: [1] });
    expect(String(run.error)).toContain("stream reset");
  });
});
