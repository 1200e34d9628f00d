// Wakes config watchers after a change commits. Watchers re-read "everything newer than what I sent",
// so a wake-up carries no payload and several wake-ups may merge into one read. A change is announced
// twice on PostgreSQL, by its writer and by its own NOTIFY echoed back; versions commit in order
// (config/versions.ts), so a version at or below one already announced wakes nobody: every watcher
// re-read since then has seen it. Each wake-up costs every watching data plane a read.
export class ChangeFeed {
  #generation = 0;
  #version = 0;
  #waiters = new Set<() => void>();

  get generation(): number {
    return this.#generation;
  }

  /** A committed change at `version`; without one (a reconnected listener), "something may have changed". */
  publish(version?: number): void {
    if (version !== undefined) {
      if (version <= this.#version) return;
      this.#version = version;
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
