import { mkdir, open, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { type ConfigUpdate, ConfigUpdateSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { SyncLog } from "../sync/sync-log.js";
import { openConfig, sealConfig } from "./config-cipher.js";
import { encodeConfigUpdate } from "./config-encoding.js";
import type { ConfigHolder } from "./config-holder.js";
import { snapshotOf } from "./config-snapshot.js";

// Static stability across restarts (DESIGN §4): the last config view is kept on disk, sealed under the
// node token, so a restarted data plane serves before the control plane answers and then asks only for
// what changed since. Saving is debounced (a burst of updates is one write) and atomic (a temporary
// file renamed over the old one); losing the last few updates to a crash only makes the delta longer.

/** The persisted snapshot, or undefined when there is none or it cannot be used (logged: a fresh snapshot follows). */
export async function loadPersistedConfig(
  path: string,
  nodeToken: string,
  log: SyncLog,
): Promise<ConfigUpdate | undefined> {
  let sealed: Buffer;
  try {
    sealed = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    log("warn", "persisted config unreadable; waiting for a snapshot", { path, error: (error as Error).message });
    return undefined;
  }
  try {
    const update = fromBinary(ConfigUpdateSchema, openConfig(sealed, nodeToken));
    if (!update.snapshot || update.version === 0n) throw new Error("not a versioned snapshot");
    return update;
  } catch (error) {
    log("warn", "persisted config ignored; waiting for a snapshot", { path, error: (error as Error).message });
    return undefined;
  }
}

export async function savePersistedConfig(path: string, update: ConfigUpdate, nodeToken: string): Promise<void> {
  const sealed = sealConfig(await encodeConfigUpdate(update), nodeToken);
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  const file = await open(temporary, "w", 0o600);
  try {
    await file.writeFile(sealed);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  const dir = await open(dirname(path), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export interface ConfigPersisterOptions {
  path: string;
  nodeToken: string;
  holder: ConfigHolder;
  log: SyncLog;
  debounceMs?: number;
  minIntervalMs?: number;
}

// While traffic flows, billing publishes new balances and quotas as a config version every quarter
// second, and each save re-encodes the whole config (tens of ms of CPU with 10,000 keys). Saves start
// at most this often; a crash loses at most that much of the config, which the restart's delta brings
// back from the control plane.
const DEFAULT_MIN_INTERVAL_MS = 5_000;

/**
 * Saves the holder's view a moment after an update (the first one at once when nothing was persisted),
 * and at most once per minimum interval.
 */
export class ConfigPersister {
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private savedVersion: bigint;
  private lastSaveAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: ConfigPersisterOptions) {
    this.savedVersion = options.holder.current.version;
  }

  /** Call after each applied update. */
  schedule(): void {
    if (this.timer) return;
    const minInterval = this.options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
    // A data plane with nothing on disk yet saves its first config at once: until then a crash
    // leaves it nothing to serve while the control plane is away.
    const debounce = this.savedVersion === 0n ? 0 : (this.options.debounceMs ?? 500);
    const wait = Math.max(debounce, this.lastSaveAt + minInterval - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, wait);
  }

  /** Saves now if the view changed since the last save (on close). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.save();
  }

  private save(): Promise<void> {
    this.saving = this.saving.then(async () => {
      const view = this.options.holder.current;
      if (view.version === this.savedVersion) return;
      this.lastSaveAt = performance.now();
      try {
        await savePersistedConfig(this.options.path, snapshotOf(view), this.options.nodeToken);
        this.savedVersion = view.version;
      } catch (error) {
        this.options.log("warn", "cannot persist the config", {
          path: this.options.path,
          error: (error as Error).message,
        });
      }
    });
    return this.saving;
  }
}
