import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Atto, parseDecimal } from "../../common/money.js";
import { type Admission, admitSpend, countInFlight, type InFlight } from "./spend-admission.js";

const usd = (text: string): Atto => parseDecimal(text) as Atto;

const totalsOf = (ceilings: readonly (Atto | undefined)[]): InFlight => {
  const totals = { count: 0, unbounded: 0, ceilings: 0n };
  for (const ceiling of ceilings) countInFlight(totals, ceiling, 1);
  return totals;
};

describe("admitSpend", () => {
  it.each<
    [
      string,
      { limit?: string; used?: string; pending?: string; inFlight?: (string | undefined)[] },
      string | undefined,
      Admission,
    ]
  >([
    ["unlimited admits anything", { used: "1000", pending: "5", inFlight: [undefined, undefined] }, undefined, "admit"],
    ["nothing left by the config view", { limit: "5", used: "5" }, "0.1", "exhausted"],
    ["overshot by the config view", { limit: "5", used: "5.2" }, "0.1", "exhausted"],
    ["left by the view, used up by spend not yet billed", { limit: "5", used: "4", pending: "1" }, "0.1", "exhausted"],
    ["a sliver left: one request alone", { limit: "5", used: "4.99", pending: "0.009" }, "3", "admit"],
    ["a lone request with no ceiling", { limit: "5", used: "1" }, undefined, "admit"],
    ["a second request whose ceiling fits beside the first", { limit: "5", used: "1", inFlight: ["1"] }, "2", "admit"],
    ["ceilings that fit exactly", { limit: "5", used: "1", pending: "1", inFlight: ["1", "1"] }, "1", "admit"],
    [
      "a second request that does not fit",
      { limit: "5", used: "1", pending: "1", inFlight: ["1", "1"] },
      "1.01",
      "one_at_a_time",
    ],
    ["a second request without a ceiling", { limit: "5", used: "1", inFlight: ["0.01"] }, undefined, "one_at_a_time"],
    ["beside a request without a ceiling", { limit: "100", used: "0", inFlight: [undefined] }, "0.01", "one_at_a_time"],
    ["exhausted wins over one at a time", { limit: "5", used: "5", inFlight: [undefined] }, "0.01", "exhausted"],
    ["a balance (used 0) still positive", { limit: "0.5", used: "0", pending: "0.2" }, "0.1", "admit"],
    ["a balance at zero", { limit: "0", used: "0" }, "0.1", "exhausted"],
  ])("%s", (_name, budget, ceiling, expected) => {
    const decision = admitSpend(
      {
        limit: budget.limit === undefined ? undefined : usd(budget.limit),
        used: usd(budget.used ?? "0"),
        pending: usd(budget.pending ?? "0"),
        inFlight: totalsOf((budget.inFlight ?? []).map((c) => (c === undefined ? undefined : usd(c)))),
      },
      ceiling === undefined ? undefined : usd(ceiling),
    );
    expect(decision).toBe(expected);
  });
});

describe("the bound", () => {
  // Any interleaving of admissions and completions, each request costing at most its ceiling (or
  // anything when it has none): what is spent beyond the limit is less than one request's cost.
  const step = fc.oneof(
    fc.record({ kind: fc.constant("start" as const), ceiling: fc.option(fc.integer({ min: 1, max: 400 })) }),
    fc.record({
      kind: fc.constant("finish" as const),
      pick: fc.nat(),
      share: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  );
  it("holds for random request sequences", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), fc.array(step, { maxLength: 80 }), (limit, steps) => {
        const inFlight: Array<{ ceiling: bigint | undefined }> = [];
        let spent = 0n;
        let dearest = 0n;
        const finish = (index: number, share: number) => {
          const [request] = inFlight.splice(index, 1);
          const ceiling = request?.ceiling ?? 2_000n;
          const cost = BigInt(Math.floor(Number(ceiling) * share));
          spent += cost;
          if (cost > dearest) dearest = cost;
        };
        for (const s of steps) {
          if (s.kind === "start") {
            const ceiling = s.ceiling === null ? undefined : BigInt(s.ceiling);
            const budget = {
              limit: BigInt(limit),
              used: 0n,
              pending: spent,
              inFlight: totalsOf(inFlight.map((r) => r.ceiling)),
            };
            if (admitSpend(budget, ceiling) === "admit") inFlight.push({ ceiling });
          } else if (inFlight.length > 0) {
            finish(s.pick % inFlight.length, s.share);
          }
        }
        while (inFlight.length > 0) finish(0, 1);
        expect(spent - BigInt(limit)).toBeLessThanOrEqual(dearest);
      }),
    );
  });
});
