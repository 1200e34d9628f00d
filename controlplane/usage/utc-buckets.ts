// Rollup buckets are whole UTC hours and days (UTC has no daylight-saving jumps, so plain arithmetic).

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export const floorTo = (at: Date, widthMs: number): Date => new Date(Math.floor(at.getTime() / widthMs) * widthMs);
export const ceilTo = (at: Date, widthMs: number): Date => new Date(Math.ceil(at.getTime() / widthMs) * widthMs);
