import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import {
  hasConnectionToPort,
  mainThreadCpuMicros,
  namedThreadsCpuMicros,
  parseRssBytes,
  parseStatCpuTicks,
  parseTcpTable,
  processCpuMicros,
} from "./proc.js";

describe("parseStatCpuTicks", () => {
  it.each([
    ["plain name", "19304 (node) R 1 1 1 0 -1 4194304 100 0 0 0 250 40 0 0 20 0 1 0", 290],
    ["name with spaces and parens", "7 (a (b) c) S 1 1 1 0 -1 0 0 0 0 0 12 3 0 0 20 0 1 0", 15],
  ])("%s", (_label, stat, ticks) => {
    expect(parseStatCpuTicks(stat)).toBe(ticks);
  });
});

describe("parseRssBytes", () => {
  it("reads VmRSS in kB", () => {
    expect(parseRssBytes("Name:\tnode\nVmHWM:\t  9000 kB\nVmRSS:\t  2048 kB\n")).toBe(2048 * 1024);
  });

  it("fails loudly without the line", () => {
    expect(() => parseRssBytes("Name:\tnode\n")).toThrow(/VmRSS/);
  });
});

describe("parseTcpTable", () => {
  it("reads remote port, state and inode", () => {
    const table = [
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
      "   0: 0100007F:0CEA 0100007F:18EB 01 00000000:00000000 00:00000000 00000000   107        0 9717 1 0 100 0 0 10 0",
      "   1: 0100007F:075B 00000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 5972 1 0 100 0 0 10 0",
    ].join("\n");
    expect(parseTcpTable(table)).toEqual([
      { remotePort: 6379, state: "01", inode: "9717" },
      { remotePort: 0, state: "0A", inode: "5972" },
    ]);
  });
});

describe("this process, read live", () => {
  it("has used some CPU and holds no connection to a port nobody listens on", () => {
    expect(processCpuMicros(process.pid)).toBeGreaterThan(0);
    expect(hasConnectionToPort(process.pid, 1)).toBe(false);
  });

  it("counts a worker thread's CPU in the process's and not in the main thread's", async () => {
    const process0 = processCpuMicros(process.pid);
    const main0 = mainThreadCpuMicros(process.pid);
    const worker = await spinningWorker("");
    await worker.terminate();
    const processUs = processCpuMicros(process.pid) - process0;
    const mainUs = mainThreadCpuMicros(process.pid) - main0;
    // Linux splits a thread's and a process's run time into ticks separately (cputime_adjust), so
    // the process's share of the worker can read a few ticks short of the thread's own count (CI once
    // read 19 of 20).
    expect(mainUs).toBeGreaterThanOrEqual(0);
    expect(processUs - mainUs).toBeGreaterThanOrEqual(17 * usPerTick());
    expect(mainUs).toBeLessThan(processUs - mainUs);
  });

  it("reads the CPU of the threads of one name, and none when no thread has it", async () => {
    expect(namedThreadsCpuMicros(process.pid, "tg-test-none")).toBeUndefined();
    // Named as cli/thread-name.ts names a thread.
    const worker = await spinningWorker('require("node:fs").writeFileSync("/proc/thread-self/comm", "tg-test-spin");');
    const named = namedThreadsCpuMicros(process.pid, "tg-test-spin");
    await worker.terminate();
    expect(named).toBeGreaterThanOrEqual(SPIN_TICKS * usPerTick());
    expect(named).toBeLessThan(processCpuMicros(process.pid));
  });
});

const SPIN_TICKS = 20;

/**
 * A worker that runs `setup`, then spins until its own thread has used SPIN_TICKS clock ticks (200 ms
 * at Linux's usual 100 Hz), however busy the machine is; this thread only polls that thread's stat now
 * and then. The caller terminates it.
 */
async function spinningWorker(setup: string): Promise<Worker> {
  const worker = new Worker(
    `${setup}
    require("node:worker_threads").parentPort.postMessage(require("node:fs").readlinkSync("/proc/thread-self"));
    for (;;);`,
    { eval: true },
  );
  const thread = await new Promise<string>((resolve) => worker.once("message", resolve));
  while (parseStatCpuTicks(readFileSync(`/proc/${thread}/stat`, "utf8")) < SPIN_TICKS) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return worker;
}

const usPerTick = () => processCpuMicros(process.pid) / parseStatCpuTicks(readFileSync("/proc/self/stat", "utf8"));
