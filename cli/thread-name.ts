import { writeFileSync } from "node:fs";

/** The name `tollgate start` gives its control-plane thread (Linux keeps 15 characters). */
export const CONTROL_PLANE_THREAD = "tollgate-cp";

/**
 * Names the calling thread, so `top -H`, `ps -L` and the bench tell its CPU from the event loop's.
 * Only Linux lets a thread name itself through /proc; elsewhere the thread stays unnamed.
 */
export function nameThisThread(name: string): void {
  try {
    writeFileSync("/proc/thread-self/comm", name);
  } catch {
    // Not Linux, or no /proc: the name is only a convenience.
  }
}
