import type { AcquireCandidate, AcquireRequest } from "./routing-store.js";

// What one data plane last learned of its sessions' bindings, so that a session it is already serving
// can be routed without waiting for Redis (redis-store.ts). Only a hint: Redis keeps the binding, and
// the round trip sent behind such an answer tells when the hint was wrong (the next request then asks).
// A session moves when its account cannot serve; a hint is dropped when anything that could have made
// it so has changed since: the accounts' configuration (accountsVersion) or, by clear(), the shared
// account state.

/** Hints older than this are not trusted (the binding may have lapsed or moved meanwhile). */
export const KNOWN_BINDING_MS = 60_000;
/** Enough for the sessions a busy data plane serves within KNOWN_BINDING_MS; the oldest go first. */
export const KNOWN_BINDING_ENTRIES = 50_000;

interface Known {
  readonly accountId: string;
  readonly accountsVersion: bigint;
  readonly at: number;
}

export class KnownBindings {
  /** Insertion order is age order: a remembered key is moved to the end. */
  private readonly entries = new Map<string, Known>();

  constructor(
    private readonly lifetimeMs = KNOWN_BINDING_MS,
    private readonly maxEntries = KNOWN_BINDING_ENTRIES,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * The account under the longest of the request's keys that has a hint, as the route script looks,
   * if that hint is still fresh and from the request's accountsVersion.
   */
  lookup(request: AcquireRequest, now: number): string | undefined {
    for (const sessionKey of request.sessionKeys) {
      const key = entryKey(request.groupId, sessionKey);
      const known = this.entries.get(key);
      if (known === undefined) continue;
      if (now - known.at < this.lifetimeMs && known.accountsVersion === request.accountsVersion) {
        return known.accountId;
      }
      this.entries.delete(key);
      return undefined;
    }
    return undefined;
  }

  /** The request's session (its longest key) is bound to accountId. */
  remember(request: AcquireRequest, accountId: string, now: number): void {
    const longest = request.sessionKeys[0];
    if (longest === undefined) return;
    const key = entryKey(request.groupId, longest);
    this.entries.delete(key);
    this.entries.set(key, { accountId, accountsVersion: request.accountsVersion, at: now });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  forget(request: AcquireRequest): void {
    for (const sessionKey of request.sessionKeys) this.entries.delete(entryKey(request.groupId, sessionKey));
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * The candidate a request can be routed to without waiting for the shared store: the account its
 * session is known to be bound to, while that is still a candidate and neither it nor the user has a
 * concurrency limit (nothing could refuse the slot). Undefined: ask the store and wait.
 */
export function unrefusableCandidate(
  request: AcquireRequest,
  known: KnownBindings,
  now: number,
): AcquireCandidate | undefined {
  if (request.userConcurrency !== 0) return undefined;
  const accountId = known.lookup(request, now);
  if (accountId === undefined) return undefined;
  const candidate = request.candidates.find((c) => c.id === accountId);
  return candidate?.concurrency === 0 ? candidate : undefined;
}

function entryKey(groupId: string, sessionKey: string): string {
  return `${groupId}\n${sessionKey}`;
}
