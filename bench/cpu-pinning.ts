import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

// The measured proxy gets a CPU of its own; the load generator, upstream-sim, Tollgate's control
// plane and the stream client share the rest. Unpinned, the scheduler places the four busy processes
// differently from run to run, and on 2 cores the floor's CPU per request moved by a third between
// runs minutes apart (63-68 against 91-114 µs) while the data plane's did not: the ratio the targets
// compare followed the placement. PostgreSQL and Redis are the machine's services and stay unpinned.
// run.ts pins for latency and saturation and spreads everything again for the slow streams.

export interface CpuSplit {
  /** taskset CPU lists. */
  proxy: string;
  load: string;
  all: string;
}

/** The last CPU for the proxy, the others for its load; undefined with a single CPU. */
export function cpuSplit(cpuCount: number): CpuSplit | undefined {
  if (!Number.isInteger(cpuCount) || cpuCount < 2) return undefined;
  const last = cpuCount - 1;
  return { proxy: String(last), load: last === 1 ? "0" : `0-${last - 1}`, all: `0-${last}` };
}

/** Binds every thread of a process (and the children it starts later) to `cpus`; says whether it holds. */
export function pinProcess(pid: number, cpus: string): boolean {
  try {
    execFileSync("taskset", ["--all-tasks", "--pid", "--cpu-list", cpus, String(pid)], { stdio: "ignore" });
  } catch {
    return false;
  }
  // taskset exits 0 for a pid that is gone: read back what the kernel holds.
  return allowedCpus(pid) === cpus;
}

export function allowedCpus(pid: number): string | undefined {
  try {
    return /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  } catch {
    return undefined;
  }
}

export function describeSplit(split: CpuSplit): string {
  return `proxy on CPU ${split.proxy}; load generator, upstream-sim, control plane and stream client on CPU ${split.load}; PostgreSQL and Redis unpinned`;
}
