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
  /** Paced runs send at this many requests a second in all, whatever the latency (open loop). */
  ratePerSec?: number;
  /** Each request sets this header to a value of its own, `<prefix>-<n>`: each a new conversation. */
  newSessions?: { header: string; prefix: string };
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

// Pacing: wrk asks delay() before each request on a connection, in whole milliseconds. A pause of its
// own per connection would make the rate fall as latency grows (each connection's cycle is pause plus
// latency: 10% short at 2 ms), so every request instead takes the next slot of one schedule, 1/rate
// apart, and waits for it (monotonic clock through LuaJIT's FFI). A schedule over 100 ms behind (the
// machine stalled) skips the older slots instead of sending them all at once.
const PACING = (ratePerSec: number) => `local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } tollgate_timespec;
int clock_gettime(int clock, tollgate_timespec *now);
]]
local clock = ffi.new("tollgate_timespec")
local function nowMs()
  ffi.C.clock_gettime(1, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end
local intervalMs = ${1000 / ratePerSec}
local slot = nil
function delay()
  local now = nowMs()
  slot = math.max(slot or now, now - 100)
  local wait = slot - now
  slot = slot + intervalMs
  return math.max(0, math.floor(wait + 0.5))
end`;

// wrk's own wrk.format writes headers in Lua table order, which LuaJIT's randomised string hashing
// changes per wrk process: each round gave the proxy's headers objects a new hidden class, and V8
// threw away the data plane's optimised code that reads them. A real client keeps one order, so this
// writes a fixed one: Host, the run's headers as given, the session header, Content-Length.
const FIXED_ORDER_FORMAT = (names: readonly string[]) => `local order = { ${names.map(luaString).join(", ")} }
function wrk.format(method, path, headers, body)
  method = method or wrk.method
  path = path or wrk.path
  headers = headers or wrk.headers
  body = body or wrk.body
  if not headers["Host"] then headers["Host"] = wrk.host end
  headers["Content-Length"] = body and string.len(body)
  local s = { string.format("%s %s HTTP/1.1", method, path) }
  for _, name in ipairs(order) do
    if headers[name] ~= nil then s[#s + 1] = string.format("%s: %s", name, headers[name]) end
  end
  s[#s + 1] = ""
  s[#s + 1] = body or ""
  return table.concat(s, "\\r\\n")
end`;

export function wrkScript(run: Pick<WrkRun, "method" | "headers" | "bodyFile" | "ratePerSec" | "newSessions">): string {
  const names = new Set(["Host", ...Object.keys(run.headers)]);
  if (run.newSessions) names.add(run.newSessions.header);
  names.add("Content-Length");
  const lines = [
    `wrk.method = ${luaString(run.method)}`,
    ...Object.entries(run.headers).map(([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`),
    FIXED_ORDER_FORMAT([...names]),
    `local f = assert(io.open(${luaString(run.bodyFile)}, "rb"))`,
    "wrk.body = f:read('*a')",
    "f:close()",
  ];
  if (run.ratePerSec !== undefined) lines.push(PACING(run.ratePerSec));
  if (run.newSessions) {
    lines.push(
      "local sessions = 0",
      "function request()",
      "  sessions = sessions + 1",
      `  wrk.headers[${luaString(run.newSessions.header)}] = ${luaString(`${run.newSessions.prefix}-`)} .. sessions`,
      "  return wrk.format()",
      "end",
    );
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
