import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { ArrayHistogram } from "./array-histogram.js";

// The exposition must be what prom-client's own Histogram writes for the same observations, so a
// dashboard built on either reads the same series.
describe("ArrayHistogram", () => {
  const buckets = [0.05, 0.1, 0.25, 1, 10];
  const observations: Array<[string, number]> = [
    ["anthropic", 0.01],
    ["anthropic", 0.05],
    ["anthropic", 0.3],
    ["openai", 12],
    ["anthropic", 0.1000001],
    ["openai", 0],
  ];

  async function promClientText(labelled: boolean): Promise<string> {
    const registry = new Registry();
    const histogram = new Histogram({
      name: "t_seconds",
      help: 'Help with a \\ and "quotes".',
      labelNames: labelled ? ["surface"] : [],
      buckets,
      registers: [registry],
    });
    for (const [surface, value] of observations) {
      if (labelled) histogram.observe({ surface }, value);
      else histogram.observe(value);
    }
    return (await registry.metrics()).trimEnd();
  }

  it("writes what prom-client writes, per label set, series never observed left out", async () => {
    const ours = new ArrayHistogram("t_seconds", 'Help with a \\ and "quotes".', buckets);
    const series = new Map(["anthropic", "openai", "gemini"].map((s) => [s, ours.seriesFor({ surface: s })]));
    for (const [surface, value] of observations) series.get(surface)?.observe(value);
    expect(ours.exposition()).toBe(await promClientText(true));
    expect(ours.exposition()).not.toContain("gemini");
  });

  it("writes a series without labels", async () => {
    const ours = new ArrayHistogram("t_seconds", 'Help with a \\ and "quotes".', buckets);
    const series = ours.seriesFor({});
    for (const [, value] of observations) series.observe(value);
    expect(ours.exposition()).toBe(await promClientText(false));
  });

  it("escapes label values", () => {
    const ours = new ArrayHistogram("t", "h", [1]);
    ours.seriesFor({ model: 'a"b\\c\nd' }).observe(2);
    expect(ours.exposition()).toContain('t_count{model="a\\"b\\\\c\\nd"} 1');
  });
});
