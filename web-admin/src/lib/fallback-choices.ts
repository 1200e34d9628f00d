// A claude_code_only group sends other clients to its fallback group (DESIGN §5.4). The server refuses a
// save that closes a loop; the picker offers only groups whose own chain never comes back to this one.

export interface FallbackLink {
  id: string;
  /** Empty = none. */
  fallbackGroupId: string;
}

/** Groups `groupId` may fall back to: not itself, and not any group whose chain leads back to it. */
export function fallbackChoices<G extends FallbackLink>(groups: readonly G[], groupId: string | undefined): G[] {
  if (groupId === undefined) return [...groups];
  const next = new Map(groups.map((g) => [g.id, g.fallbackGroupId]));
  const leadsBack = (start: string): boolean => {
    const seen = new Set<string>();
    for (let current: string | undefined = start; current; current = next.get(current)) {
      if (current === groupId) return true;
      // A loop among other groups never reaches this one.
      if (seen.has(current)) return false;
      seen.add(current);
    }
    return false;
  };
  return groups.filter((g) => !leadsBack(g.id));
}
