import { createContextKey } from "@connectrpc/connect";

// Slows down guessing of the admin token: consecutive failures from one address make its next
// answers wait longer (doubling, capped), and a success forgets the address. Memory is bounded: at
// most maxTracked addresses are remembered (the oldest is dropped first), each forgotten after a quiet
// period. Waiting, not refusing: a mistyped token costs its owner a moment, never a lock-out.

/** The caller's socket address, set per request by the admin listener. */
export const peerAddress = createContextKey<string>("", { description: "the caller's socket address" });

export interface ThrottleConfig {
  /** Wait after the second consecutive failure; it doubles with each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures older than this are forgotten. */
  forgetAfterMs: number;
  maxTracked: number;
}

export const DEFAULT_THROTTLE_CONFIG: ThrottleConfig = {
  baseDelayMs: 250,
  maxDelayMs: 5_000,
  forgetAfterMs: 15 * 60_000,
  maxTracked: 10_000,
};

/** How long the answer to the nth consecutive failure waits (a first typo costs nothing). */
export function failureDelayMs(failures: number, config: ThrottleConfig): number {
  if (failures <= 1) return 0;
  return Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** Math.min(failures - 2, 30));
}

interface Entry {
  failures: number;
  /** Epoch ms before which a new attempt from this address waits. */
  until: number;
  lastAt: number;
}

export class AuthThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly config: ThrottleConfig = DEFAULT_THROTTLE_CONFIG,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Before checking a token: an address still paying for failures waits its turn. */
  async admit(address: string): Promise<void> {
    const entry = this.current(address);
    const wait = entry ? Math.min(entry.until - this.now(), this.config.maxDelayMs) : 0;
    if (wait > 0) await this.sleep(wait);
  }

  /** A wrong or missing token: the answer waits, longer with each consecutive failure. */
  async failed(address: string): Promise<void> {
    const now = this.now();
    let entry = this.current(address);
    if (!entry) {
      if (this.entries.size >= this.config.maxTracked) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
      entry = { failures: 0, until: now, lastAt: now };
      this.entries.set(address, entry);
    }
    entry.failures++;
    entry.lastAt = now;
    const delay = failureDelayMs(entry.failures, this.config);
    entry.until = now + delay;
    if (delay > 0) await this.sleep(delay);
  }

  succeeded(address: string): void {
    this.entries.delete(address);
  }

  get tracked(): number {
    return this.entries.size;
  }

  private current(address: string): Entry | undefined {
    const entry = this.entries.get(address);
    if (entry && this.now() - entry.lastAt > this.config.forgetAfterMs) {
      this.entries.delete(address);
      return undefined;
    }
    return entry;
  }
}
