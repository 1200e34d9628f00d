import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

// What a measured process costs, read from /proc (Linux): CPU time of all its threads and of its main
// thread alone, its threads, resident memory, and which TCP peers it holds connections to.

/** The fields of a /proc/<pid>/stat line after the command name: state first, then the parent's pid. */
export function statFieldsAfterName(stat: string): string[] {
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ")".
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** utime + stime in clock ticks, from the text of /proc/<pid>/stat. */
export function parseStatCpuTicks(stat: string): number {
  const fields = statFieldsAfterName(stat);
  // Fields 14 and 15 of the line are the 12th and 13th after the name.
  return Number(fields[11]) + Number(fields[12]);
}

/** VmRSS in bytes, from the text of /proc/<pid>/status. */
export function parseRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error("no VmRSS line in /proc status");
  return Number(match[1]) * 1024;
}

export interface TcpEntry {
  remotePort: number;
  inode: string;
  /** Kernel state code: "01" is ESTABLISHED. */
  state: string;
}

/** Rows of /proc/net/tcp or tcp6. */
export function parseTcpTable(text: string): TcpEntry[] {
  const rows: TcpEntry[] = [];
  for (const line of text.split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    const remote = cols[2];
    if (!remote || cols.length < 10) continue;
    rows.push({
      remotePort: Number.parseInt(remote.slice(remote.lastIndexOf(":") + 1), 16),
      state: cols[3] ?? "",
      inode: cols[9] ?? "",
    });
  }
  return rows;
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const text = execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim();
    ticksPerSecond = Number(text) > 0 ? Number(text) : 100;
  }
  return ticksPerSecond;
}

/** CPU time (user + system, all threads) the process has used so far, in microseconds. */
export function processCpuMicros(pid: number): number {
  return statCpuMicros(`/proc/${pid}/stat`);
}

/**
 * The same for the process's main thread only (its thread id is its pid); the rest runs beside the
 * event loop (V8's GC and compiler threads, libuv's pool, all-in-one's control plane). Profiles cannot
 * split this: a thread's samples count time it sat preempted by a sibling thread as busy.
 */
export function mainThreadCpuMicros(pid: number): number {
  return statCpuMicros(`/proc/${pid}/task/${pid}/stat`);
}

/**
 * The CPU time of a process's threads of this name (cli/thread-name.ts), or undefined when it has
 * none: all-in-one's control plane runs on such a thread.
 */
export function namedThreadsCpuMicros(pid: number, name: string): number | undefined {
  let total: number | undefined;
  for (const tid of threadIds(pid)) {
    try {
      if (readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trimEnd() !== name) continue;
      total = (total ?? 0) + statCpuMicros(`/proc/${pid}/task/${tid}/stat`);
    } catch {
      // The thread ended while we listed them.
    }
  }
  return total;
}

/** The ids of a process's threads (its main thread's is its pid). */
export function threadIds(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map(Number);
}

function statCpuMicros(path: string): number {
  return (parseStatCpuTicks(readFileSync(path, "utf8")) * 1e6) / clockTicks();
}

export function processRssBytes(pid: number): number {
  return parseRssBytes(readFileSync(`/proc/${pid}/status`, "utf8"));
}

/** Whether the process holds an established TCP connection to this remote port. */
export function hasConnectionToPort(pid: number, port: number): boolean {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // The descriptor closed while we listed them.
    }
  }
  return ["tcp", "tcp6"].some((table) =>
    parseTcpTable(readFileSync(`/proc/${pid}/net/${table}`, "utf8")).some(
      (row) => row.remotePort === port && row.state === "01" && inodes.has(row.inode),
    ),
  );
}
