import { ceilTo, DAY_MS, floorTo, HOUR_MS } from "./utc-buckets.js";

// Which table answers which part of a usage query's time range. Rollups hold whole UTC hours and days,
// so a range [start, end) is cut into: raw logs for the minutes before the first whole hour and after
// the last, hourly rollups for the whole hours, and daily rollups for the whole days between (unless
// the answer is bucketed by hour). Every instant of the range falls in exactly one segment, so sums over
// the segments are exact. An open end stays open: rollups hold every log, future ones included.

export type StatsSource = "daily" | "hourly" | "raw";

export interface StatsSegment {
  source: StatsSource;
  /** Inclusive; absent = unbounded. */
  start?: Date;
  /** Exclusive; absent = unbounded. */
  end?: Date;
}

const before = (a: Date | undefined, b: Date | undefined) => a === undefined || b === undefined || a < b;

export function planStatsRange(start: Date | undefined, end: Date | undefined, byHour: boolean): StatsSegment[] {
  if (start && end && start >= end) return [];
  const firstHour = start && ceilTo(start, HOUR_MS);
  const lastHour = end && floorTo(end, HOUR_MS);
  if (!before(firstHour, lastHour)) return [{ source: "raw", start, end }];
  const segments: StatsSegment[] = [];
  if (start && firstHour && start < firstHour) segments.push({ source: "raw", start, end: firstHour });
  segments.push(...wholeHours(firstHour, lastHour, byHour));
  if (end && lastHour && lastHour < end) segments.push({ source: "raw", start: lastHour, end });
  return segments;
}

/** [start, end) on hour boundaries: daily rollups for the whole days inside, hourly for the rest. */
function wholeHours(start: Date | undefined, end: Date | undefined, byHour: boolean): StatsSegment[] {
  const firstDay = start && ceilTo(start, DAY_MS);
  const lastDay = end && floorTo(end, DAY_MS);
  if (byHour || !before(firstDay, lastDay)) return [{ source: "hourly", start, end }];
  const segments: StatsSegment[] = [];
  if (start && firstDay && start < firstDay) segments.push({ source: "hourly", start, end: firstDay });
  segments.push({ source: "daily", start: firstDay, end: lastDay });
  if (end && lastDay && lastDay < end) segments.push({ source: "hourly", start: lastDay, end });
  return segments;
}
