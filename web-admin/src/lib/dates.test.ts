import { describe, expect, it } from "vitest";
import { addDays, fromLocalInput, startOfDay, toLocalInput } from "./dates.js";

describe("dates", () => {
  it.each([
    [new Date(2026, 0, 31, 23, 59, 30), "2026-01-31T23:59"],
    [new Date(2026, 10, 5, 7, 4), "2026-11-05T07:04"],
  ])("toLocalInput(%s) = %s and reads back to the minute", (date, text) => {
    expect(toLocalInput(date)).toBe(text);
    expect(fromLocalInput(text)?.getTime()).toBe(
      new Date(date.getFullYear(), date.getMonth(), date.getDate(), date.getHours(), date.getMinutes()).getTime(),
    );
  });

  it.each(["", "2026-13-01T00:00", "2026-02-30T10:00", "yesterday", "2026-01-01"])(
    "fromLocalInput(%j) is undefined",
    (text) => {
      expect(fromLocalInput(text)).toBeUndefined();
    },
  );

  it.each([7, 30, 90])("addDays(+%d) moves by whole days", (days) => {
    const from = new Date(Date.UTC(2026, 0, 1, 12));
    expect(addDays(from, days).getTime() - from.getTime()).toBe(days * 86_400_000);
  });

  it("startOfDay is local midnight of the same date", () => {
    const start = startOfDay(new Date(2026, 4, 17, 15, 30));
    expect([start.getFullYear(), start.getMonth(), start.getDate(), start.getHours(), start.getMinutes()]).toEqual([
      2026, 4, 17, 0, 0,
    ]);
  });
});
