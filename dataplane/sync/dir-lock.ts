import { open, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

// One process per spool folder: two data planes replaying the same spool would both report (and
// both compact) it. The lock file holds the owner's pid; a lock left by a process that is gone (kill -9)
// is taken over.

export async function acquireDirLock(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, "LOCK");
  try {
    const handle = await open(path, "wx");
    await handle.writeFile(String(process.pid));
    await handle.close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const owner = Number((await readFile(path, "utf8")).trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
      throw new Error(
        `${dir} is in use by process ${owner} (one data plane per data dir; remove ${path} if it is not)`,
      );
    }
    await writeFile(path, String(process.pid));
  }
  return () => rm(path, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
