import { describe, expect, it } from "vitest";
import { planStatsRange } from "./stats-plan.js";

const at = (time: string) => new Date(`2026-03-${time}Z`);
const show = (segments: ReturnType<typeof planStatsRange>) =>
  segments.map(
    (s) => `${s.source} ${s.start?.toISOString().slice(5, 16) ?? "…"} ${s.end?.toISOString().slice(5, 16) ?? "…"}`,
  );

describe("planStatsRange", () => {
  it.each([
    ["no range: all of the daily rollup", undefined, undefined, false, ["daily … …"]],
    ["no range by hour: all of the hourly rollup", undefined, undefined, true, ["hourly … …"]],
    ["whole days", "01T00:00:00", "03T00:00:00", false, ["daily 03-01T00:00 03-03T00:00"]],
    ["whole days by hour", "01T00:00:00", "03T00:00:00", true, ["hourly 03-01T00:00 03-03T00:00"]],
    [
      "hours around whole days",
      "01T22:00:00",
      "03T02:00:00",
      false,
      ["hourly 03-01T22:00 03-02T00:00", "daily 03-02T00:00 03-03T00:00", "hourly 03-03T00:00 03-03T02:00"],
    ],
    [
      "minutes around hours around days",
      "01T22:15:00",
      "03T02:45:00",
      false,
      [
        "raw 03-01T22:15 03-01T23:00",
        "hourly 03-01T23:00 03-02T00:00",
        "daily 03-02T00:00 03-03T00:00",
        "hourly 03-03T00:00 03-03T02:00",
        "raw 03-03T02:00 03-03T02:45",
      ],
    ],
    ["hours within one day", "01T10:00:00", "01T14:00:00", false, ["hourly 03-01T10:00 03-01T14:00"]],
    [
      "minutes around hours within one day",
      "01T10:30:00",
      "01T14:30:00",
      false,
      ["raw 03-01T10:30 03-01T11:00", "hourly 03-01T11:00 03-01T14:00", "raw 03-01T14:00 03-01T14:30"],
    ],
    ["inside one hour", "01T10:10:00", "01T10:50:00", false, ["raw 03-01T10:10 03-01T10:50"]],
    ["across one hour boundary, no whole hour", "01T10:30:00", "01T11:30:00", false, ["raw 03-01T10:30 03-01T11:30"]],
    ["one whole hour exactly", "01T10:00:00", "01T11:00:00", false, ["hourly 03-01T10:00 03-01T11:00"]],
    [
      "open end from an unaligned start",
      "01T10:30:00",
      undefined,
      false,
      ["raw 03-01T10:30 03-01T11:00", "hourly 03-01T11:00 03-02T00:00", "daily 03-02T00:00 …"],
    ],
    ["open end from midnight", "01T00:00:00", undefined, false, ["daily 03-01T00:00 …"]],
    [
      "open start to an aligned end",
      undefined,
      "02T05:00:00",
      false,
      ["daily … 03-02T00:00", "hourly 03-02T00:00 03-02T05:00"],
    ],
    [
      "open start to an unaligned end by hour",
      undefined,
      "02T05:20:00",
      true,
      ["hourly … 03-02T05:00", "raw 03-02T05:00 03-02T05:20"],
    ],
    ["empty range", "01T10:00:00", "01T10:00:00", false, []],
  ])("%s", (_name, start, end, byHour, expected) => {
    expect(show(planStatsRange(start ? at(start) : undefined, end ? at(end) : undefined, byHour))).toEqual(expected);
  });

  it("covers a range with segments that touch and never overlap", () => {
    const start = at("01T07:13:21.5");
    const end = at("09T18:47:02.25");
    for (const byHour of [false, true]) {
      const segments = planStatsRange(start, end, byHour);
      expect(segments[0]?.start).toEqual(start);
      expect(segments.at(-1)?.end).toEqual(end);
      for (let i = 1; i < segments.length; i++) expect(segments[i]?.start).toEqual(segments[i - 1]?.end);
    }
  });
});
