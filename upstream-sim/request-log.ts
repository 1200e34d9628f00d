import type { SimRequest } from "./types.js";

/** The request log, oldest first, bounded so long benchmark runs do not grow without limit. */
export class RequestLog {
  private entries: SimRequest[] = [];
  private nextId = 1;

  constructor(private readonly limit: number) {}

  /** Assigns the entry its id and keeps it (unless the limit is 0); returns it for later updates. */
  add(entry: Omit<SimRequest, "id">): SimRequest {
    const logged: SimRequest = { id: this.nextId++, ...entry };
    if (this.limit <= 0) return logged;
    this.entries.push(logged);
    // Trim in batches so each add stays O(1) amortised.
    if (this.entries.length >= this.limit * 2) this.entries = this.entries.slice(-this.limit);
    return logged;
  }

  list(): SimRequest[] {
    return this.entries.slice(-this.limit);
  }

  clear(): void {
    this.entries = [];
  }
}
