// Wakes config watchers after a change commits. Watchers re-read "everything newer than what I sent",
// so a wake-up carries no payload and several wake-ups may merge into one read. A change is announced
// twice on PostgreSQL, by its writer and by its own NOTIFY echoed back; versions commit in order
// (config/versions.ts), so a version at or below one already announced wakes nobody: every watcher
// re-read since then has seen it. Each wake-up costs every watching data plane a read.
//
// Most versions are usage stamps (a few a second while requests are billed): they change quota used
// and balances, nothing a cache of prices or groups holds. `configGeneration` leaves them out, so such
// caches are not re-read for them. Every announcement carries the last config version at or below its
// own (config/versions.ts), so a usage stamp that is the first news of a config change (announced
// late, or by another replica whose NOTIFY has not arrived) moves it too.
export class ChangeFeed {
  #generation = 0;
  #configGeneration = 0;
  #version = 0;
  #configVersion = 0;
  #waiters = new Set<() => void>();

  /** Moves on every change. */
  get generation(): number {
    return this.#generation;
  }

  /** Moves on every change that may be more than a usage stamp. */
  get configGeneration(): number {
    return this.#configGeneration;
  }

  /**
   * A committed change at `version`, whose last config change was `configVersion`. Left out or not
   * known (undefined), that is `version` itself: the config may have changed up to there, and a cache
   * read after it sees whatever did. Without a version (a reconnected listener), anything may have.
   */
  publish(version?: number, configVersion: number | undefined = version): void {
    if (version !== undefined) {
      if (version <= this.#version) return;
      this.#version = version;
    }
    if (configVersion === undefined || configVersion > this.#configVersion) {
      this.#configGeneration++;
      this.#configVersion = configVersion ?? this.#configVersion;
    }
    this.#generation++;
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  /** Resolves once a change newer than `seen` was published, or when the signal aborts. */
  wait(seen: number, signal: AbortSignal): Promise<void> {
    if (this.#generation !== seen || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#waiters.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.#waiters.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }
}
