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

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
};

describe("pipelined", () => {
  it("starts later items before earlier results settle, and yields results in input order", async () => {
    const gates = [gate<string>(), gate<string>(), gate<string>()];
    const started: number[] = [];
    const run = collect(
      pipelined(
        from([0, 1, 2]),
        (i) => {
          started.push(i);
          return (gates[i] as ReturnType<typeof gate<string>>).promise;
        },
        10,
      ),
    );
    await until(() => started.length === 3);
    gates[2]?.resolve("c");
    gates[1]?.resolve("b");
    gates[0]?.resolve("a");
    expect(await run).toEqual({ results: ["a", "b", "c"] });
  });

  it("starts no more than maxInFlight items before the first result is taken", async () => {
    const gates = Array.from({ length: 5 }, () => gate<number>());
    const started: number[] = [];
    const run = collect(
      pipelined(
        from([0, 1, 2, 3, 4]),
        (i) => {
          started.push(i);
          return (gates[i] as ReturnType<typeof gate<number>>).promise;
        },
        2,
      ),
    );
    await until(() => started.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(started).toEqual([0, 1]);
    gates[0]?.resolve(0);
    await until(() => started.length === 3);
    for (const [i, g] of gates.entries()) g.resolve(i);
    expect(await run).toEqual({ results: [0, 1, 2, 3, 4] });
  });

  it("yields the results before a failed one, then its error", async () => {
    const run = await collect(
      pipelined(
        from([1, 2, 3]),
        (i) => (i === 2 ? Promise.reject(new Error("not applied")) : Promise.resolve(i * 10)),
        10,
      ),
    );
    expect(run.results).toEqual([10]);
    expect(String(run.error)).toContain("not applied");
  });

  it("ends with the error of the input stream after the results started", async () => {
    async function* broken() {
      yield 1;
      throw new Error("stream reset");
    }
    const run = await collect(pipelined(broken(), (i) => Promise.resolve(i), 10));
    expect(run).toMatchObject({ results: [1] });
    expect(String(run.error)).toContain("stream reset");
  });
});
