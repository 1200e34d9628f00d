// A claude_code_only group sends other clients to its fallback group, which may have a fallback of its
// own (DESIGN §5.4). A chain that comes back to a group would loop forever, so saves that close a loop
// are refused.

/**
 * The chain that would loop if `groupId` fell back to `fallbackId`, given every other group's current
 * fallback; undefined when the chain ends.
 */
export function findFallbackCycle(
  groupId: string,
  fallbackId: string,
  fallbacks: ReadonlyMap<string, string | null>,
): string[] | undefined {
  const chain = [groupId];
  let current: string | null | undefined = fallbackId;
  while (current) {
    chain.push(current);
    if (current === groupId) return chain;
    // A loop among other groups cannot be caused by this save, but stop walking it all the same.
    if (chain.indexOf(current) !== chain.length - 1) return undefined;
    current = fallbacks.get(current);
  }
  return undefined;
}
