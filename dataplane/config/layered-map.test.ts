import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LayeredMap } from "./layered-map.js";

type Batch = Array<[number, string | undefined]>;

// Keys from a small range, so batches overwrite and delete what earlier ones set.
const batch = fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.option(fc.string(), { nil: undefined })), {
  maxLength: 120,
});

function sorted(map: ReadonlyMap<number, string>): Array<[number, string]> {
  return [...map].sort((a, b) => a[0] - b[0]);
}

describe("LayeredMap", () => {
  it("behaves as a copied Map after every batch of changes, and leaves earlier versions as they were", () => {
    fc.assert(
      fc.property(fc.array(batch, { maxLength: 40 }), (batches: Batch[]) => {
        let model = new Map<number, string>();
        let layered = LayeredMap.from(new Map<number, string>());
        const history: Array<[LayeredMap<number, string>, Array<[number, string]>]> = [];
        for (const changes of batches) {
          const next = new Map(model);
          const applied = new Map<number, string | undefined>();
          for (const [key, value] of changes) applied.set(key, value);
          for (const [key, value] of applied) {
            if (value === undefined) next.delete(key);
            else next.set(key, value);
          }
          model = next;
          layered = layered.with(applied);
          history.push([layered, sorted(model)]);
          expect(layered.size).toBe(model.size);
          for (let key = 0; key <= 300; key++) {
            expect(layered.get(key)).toBe(model.get(key));
            expect(layered.has(key)).toBe(model.has(key));
          }
        }
        for (const [version, expected] of history) {
          expect(sorted(version)).toEqual(expected);
          expect([...version.keys()].length).toBe(version.size);
          expect([...version.values()].length).toBe(version.size);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("wraps a plain map without copying what it holds", () => {
    const plain = new Map([["a", 1]]);
    const layered = LayeredMap.from(plain).with(new Map([["b", 2]]));
    expect(plain.has("b")).toBe(false);
    expect(new Map(layered)).toEqual(
      new Map([
        ["a", 1],
        ["b", 2],
      ]),
    );
    const seen: string[] = [];
    layered.forEach((value, key) => {
      seen.push(`${key}=${value}`);
    });
    expect(seen.sort()).toEqual(["a=1", "b=2"]);
  });
});
