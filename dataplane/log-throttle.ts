import type { Logger } from "pino";

// Warnings a failure repeats for every request (Redis unreachable: each request refused, each call
// and slot release failing) are written once per interval per message (and per account, for a warning
// about one), each with how many were held back since the last one written. Otherwise an outage at
// thousands of requests a second writes as many lines, spends the data plane's CPU on them, and buries
// the first line that said what happened.

export class LogThrottle {
  private readonly windows = new Map<string, { until: number; heldBack: number }>();

  constructor(private readonly intervalMs: number) {}

  /**
   * Whether a line of this kind is written now: the number of lines held back since the last one
   * written when it is, undefined when it is held back.
   */
  admit(kind: string, now: number): number | undefined {
    const window = this.windows.get(kind);
    if (window && now < window.until) {
      window.heldBack++;
      return undefined;
    }
    this.windows.set(kind, { until: now + this.intervalMs, heldBack: 0 });
    return window?.heldBack ?? 0;
  }
}

/**
 * A warning that may repeat for every request. Its kind is its message and, for a warning about one
 * account, the account's id, logged as `accountId`: each account's failures get a window of their own.
 */
export type RepeatedWarning = (detail: Record<string, unknown>, message: string, accountId?: string) => void;

export function throttledWarnings(log: Logger, intervalMs: number, now: () => number = Date.now): RepeatedWarning {
  const throttle = new LogThrottle(intervalMs);
  return (detail, message, accountId) => {
    // Account ids come from the config, so the kinds stay as few as the accounts.
    const kind = accountId === undefined ? message : `${message}\u0000${accountId}`;
    const heldBack = throttle.admit(kind, now());
    if (heldBack === undefined) return;
    const about = accountId === undefined ? detail : { ...detail, accountId };
    log.warn(heldBack > 0 ? { ...about, heldBack } : about, message);
  };
}
