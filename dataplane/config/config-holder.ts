import type { ConfigUpdate } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { applyConfigUpdate, type ConfigView, EMPTY_CONFIG, findInconsistencies } from "./config-view.js";

// Holds the current view; requests read `current` once and use that one view throughout.
export class ConfigHolder {
  current: ConfigView = EMPTY_CONFIG;
  private waiters: Array<{ version: bigint; resolve: () => void }> = [];

  constructor(private readonly warn: (message: string, detail: Record<string, unknown>) => void = () => {}) {}

  apply(update: ConfigUpdate): void {
    const next = applyConfigUpdate(this.current, update);
    const problems = findInconsistencies(next, update);
    if (problems.length > 0) this.warn("config has dangling references", { version: String(next.version), problems });
    this.current = next;
    this.waiters = this.waiters.filter((w) => {
      if (w.version > next.version) return true;
      w.resolve();
      return false;
    });
  }

  /** Resolves once a view of at least this version is in place. */
  waitForVersion(version: bigint): Promise<void> {
    if (this.current.version >= version && this.current.version > 0n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ version: version > 0n ? version : 1n, resolve }));
  }
}
