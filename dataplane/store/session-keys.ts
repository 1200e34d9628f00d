import type { SessionIdentity } from "../routing/session-identity.js";

// The store keys of a session, longest first, as acquire() takes them. Explicit ids and digests live
// in separate namespaces, so a client-chosen id can never land on another conversation's digest.

export function sessionKeys(identity: SessionIdentity): string[] {
  if (identity.kind === "explicit") return [`id:${identity.id}`];
  const { chain } = identity;
  const keys: string[] = [];
  for (let i = chain.length - 1; i >= 0; i--) keys.push(`h:${chain[i]}`);
  return keys;
}
