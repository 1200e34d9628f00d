import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

// wrk drives the HTTP load: C, one thread, microsecond latency histograms, and cheap enough that on a
// 2-core machine it leaves the CPU to the processes being measured. A generated Lua script sets the
// request and prints the results as one JSON line.

export interface WrkRun {
  url: string;
  method: "POST";
  headers: Record<string, string>;
  bodyFile: string;
  connections: number;
  durationSec: number;
  /** Paced runs wait a random 0..maxDelayMs before each request on a connection (decorrelated arrivals). */
  maxDelayMs?: number;
}

export interface WrkResult {
  requests: number;
  durationSec: number;
  /** Responses with a status other than 2xx/3xx, plus connect/read/write/timeout errors. */
  errors: number;
  latencyUs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

const RESULT_PREFIX = "WRK_RESULT ";

export function luaString(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`;
}

export function wrkScript(run: Pick<WrkRun, "method" | "headers" | "bodyFile" | "maxDelayMs">): string {
  const lines = [
    `wrk.method = ${luaString(run.method)}`,
    ...Object.entries(run.headers).map(([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`),
    `local f = assert(io.open(${luaString(run.bodyFile)}, "rb"))`,
    "wrk.body = f:read('*a')",
    "f:close()",
  ];
  if (run.maxDelayMs !== undefined) {
    lines.push(`function delay() return math.random(0, ${Math.round(run.maxDelayMs)}) end`);
  }
  lines.push(
    "function done(s, latency, requests)",
    "  local e = s.errors",
    `  io.write(string.format('${RESULT_PREFIX}{"requests":%d,"durationUs":%d,"errors":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%f}\\n',`,
    "    s.requests, s.duration, e.connect + e.read + e.write + e.status + e.timeout,",
    "    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))",
    "end",
  );
  return `${lines.join("\n")}\n`;
}

export function parseWrkOutput(stdout: string): WrkResult {
  const line = stdout.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
  if (!line) throw new Error(`wrk printed no result line:\n${stdout}`);
  const raw = JSON.parse(line.slice(RESULT_PREFIX.length)) as Record<string, number>;
  const n = (name: string) => raw[name] ?? Number.NaN;
  return {
    requests: n("requests"),
    durationSec: n("durationUs") / 1e6,
    errors: n("errors"),
    latencyUs: { p50: n("p50"), p90: n("p90"), p99: n("p99"), max: n("max"), mean: n("mean") },
  };
}

export function runWrk(run: WrkRun, workDir: string): Promise<WrkResult> {
  const script = join(workDir, "wrk-request.lua");
  writeFileSync(script, wrkScript(run));
  const args = ["-t1", `-c${run.connections}`, `-d${run.durationSec}s`, "--timeout", "10s", "-s", script, run.url];
  return new Promise((resolve, reject) => {
    execFile("wrk", args, { timeout: (run.durationSec + 30) * 1000 }, (error, stdout, stderr) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
        reject(
          new Error(
            missing ? "wrk is not installed: apt-get install -y wrk" : `wrk failed: ${error.message}\n${stderr}`,
          ),
        );
        return;
      }
      try {
        resolve(parseWrkOutput(stdout));
      } catch (parseError) {
        reject(parseError);
      }
    });
  });
}
