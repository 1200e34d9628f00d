// The rollups' grains: which usage_logs columns each keeps (besides the bucket). A stats query is
// answered by the narrowest grain holding every column it filters or groups on; a query no grain holds
// (an account together with a key, user or group) reads the raw logs, by index.

export type Grain = "model" | "account" | "key";
export type Period = "hourly" | "daily";
export type Dimension = "model" | "account_id" | "api_key_id" | "group_id" | "user_id";

export const GRAIN_DIMENSIONS: Record<Grain, readonly Dimension[]> = {
  model: ["model"],
  account: ["account_id", "model"],
  key: ["api_key_id", "model", "group_id", "user_id"],
};

/** The order a batch writes (and locks) rollup rows in: the most contended rows last, held the shortest. */
export const GRAINS: readonly Grain[] = ["key", "account", "model"];
export const PERIODS: readonly Period[] = ["hourly", "daily"];

export const rollupTable = (grain: Grain, period: Period): string => `usage_${grain}_${period}`;

export function grainFor(dimensions: ReadonlySet<Dimension>): Grain | undefined {
  const narrowestFirst: Grain[] = ["model", "account", "key"];
  return narrowestFirst.find((grain) => [...dimensions].every((d) => GRAIN_DIMENSIONS[grain].includes(d)));
}
