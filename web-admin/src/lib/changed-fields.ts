// Update requests carry only what changed: each Update field is proto3 `optional`, absent = unchanged.

export function changedFields<T extends object, K extends keyof T>(
  original: T,
  next: Pick<T, K>,
  keys: readonly K[],
): Partial<Pick<T, K>> {
  const changed: Partial<Pick<T, K>> = {};
  for (const key of keys) {
    if (!Object.is(original[key], next[key])) changed[key] = next[key];
  }
  return changed;
}

/** For repeated fields, compared in order. */
export function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
