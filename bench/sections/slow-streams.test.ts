import { describe, expect, it } from "vitest";
import { slowStreamRow } from "../result-rows.fixture.js";
import { medianSlowRound } from "./slow-streams.js";

describe("medianSlowRound", () => {
  const round = (delay: number, rss: number | undefined, cpuMs: number) =>
    slowStreamRow("dataplane", { allOpenChunkDelayP99Ms: delay, rssPeakMb: rss, cpuMs });

  it.each([
    ["three rounds: the middle delay", [round(104, 220, 1), round(4.7, 200, 2), round(6, 210, 3)], 6, 3],
    ["two rounds: the lower one", [round(8, 200, 1), round(5, 210, 2)], 5, 2],
    ["one round", [round(7, 200, 1)], 7, 1],
    [
      "a round with no chunk sent once all were open counts as the worst",
      [round(Number.NaN, 200, 1), round(9, 200, 2), round(3, 200, 3)],
      9,
      2,
    ],
  ])("reports %s, and that round's other figures", (_name, rounds, delay, cpuMs) => {
    const reported = medianSlowRound(rounds);
    expect(reported.allOpenChunkDelayP99Ms).toBe(delay);
    expect(reported.cpuMs).toBe(cpuMs);
    expect(reported.roundsAllOpenChunkDelayP99Ms).toEqual(rounds.map((r) => r.allOpenChunkDelayP99Ms));
  });

  it("takes the highest RSS peak over the rounds: the memory target holds for every round", () => {
    expect(medianSlowRound([round(5, 180, 1), round(6, 260, 2), round(7, 200, 3)]).rssPeakMb).toBe(260);
    expect(medianSlowRound([round(5, undefined, 1)]).rssPeakMb).toBeUndefined();
  });

  it("reports the RSS before the streams from the same round as the peak, not from the median round", () => {
    const rounds = [round(5, 266, 1), round(6, 250, 2), round(7, 200, 3)].map((row, i) => ({
      ...row,
      rssBeforeMb: [263, 206, 150][i],
    }));
    const reported = medianSlowRound(rounds);
    expect([reported.rssBeforeMb, reported.rssPeakMb]).toEqual([263, 266]);
    expect(reported.cpuMs).toBe(2);
  });

  it("says the usage was not drained when any round's was not, whichever round is the median", () => {
    const drained = [round(5, 200, 1), round(6, 200, 2), round(7, 200, 3)];
    expect(medianSlowRound(drained).usageDrained).toBe(true);
    const lastTimedOut = drained.map((row, i) => ({ ...row, usageDrained: i !== 2 }));
    expect(medianSlowRound(lastTimedOut).usageDrained).toBe(false);
  });
});
