import type { Db, Tx } from "../db/database.js";
import type { ChangeFeed } from "./change-feed.js";
import { beginConfigChange } from "./versions.js";

export type ConfigChange<T> = (tx: Tx, version: number) => Promise<T>;

/** Runs one config change in a transaction (lock, version, work), then wakes this process's watchers. */
export function createConfigWriter(db: Db, feed: ChangeFeed) {
  return async function change<T>(work: ConfigChange<T>): Promise<T> {
    let version = 0;
    const result = await db.transaction(async (tx) => {
      version = await beginConfigChange(tx);
      return work(tx, version);
    });
    feed.publish(version);
    return result;
  };
}

export type ConfigWriter = ReturnType<typeof createConfigWriter>;
