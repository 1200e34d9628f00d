import { join } from "node:path";
import { CONTROL_PLANE_THREAD } from "../cli/thread-name.js";
import type { TestDatabase } from "../test/support/postgres.js";
import { REDIS_URL, type TestRedisPrefix } from "../test/support/redis.js";
import { adminClient, type BenchTenants, provisionBenchTenants } from "./admin.js";
import { type DatabasePriority, lowerDatabasePriority, lowerProcessPriority } from "./background-priority.js";
import { type Child, type ChildSpec, childEnv, startChild, tollgateArgs, tsArgs } from "./child.js";
import { pinProcess } from "./cpu-pinning.js";
import { probe, waitUntil } from "./http-probe.js";
import { runDatabase, runRedisPrefix } from "./interrupt.js";
import { hasConnectionToPort, namedThreadsCpuMicros, processCpuMicros } from "./proc.js";
import {
  newTokens,
  startAllInOneProcess,
  startControlPlaneProcess,
  startDataPlaneProcess,
} from "./tollgate-processes.js";

// The contenders, all started once and left running so every workload can alternate between them:
// direct calls to upstream-sim, the floor proxy, `tollgate start` (all-in-one, PGlite), and `tollgate
// dataplane` beside a `tollgate controlplane` on PostgreSQL, with the in-memory store and on Redis.
// With --baseline, a data plane run from another checkout joins them on the same control plane
// ("baseline"): an A/B in one sitting, where the machine's drift between runs cannot pass for a change.

export type ContenderName =
  | "direct"
  | "floor"
  | "floor-agent"
  | "all-in-one"
  | "dataplane"
  | "dataplane-redis"
  | "baseline";
export const CONTENDER_NAMES: readonly ContenderName[] = [
  "direct",
  "floor",
  "all-in-one",
  "dataplane",
  "dataplane-redis",
];
/** Run only when named (--contenders): the floor on node:http's Agent, to compare floors. */
export const OPTIONAL_CONTENDER_NAMES: readonly ContenderName[] = ["floor-agent"];
export type CredentialKind = "anthropic" | "openai" | "slow";

export interface Contender {
  name: ContenderName;
  /** Where the load goes: the fast upstream's path, and the slow-stream upstream's. */
  url: string;
  slowUrl: string | undefined;
  /** The process whose CPU and memory are measured (none for direct calls). */
  pid: number | undefined;
  slowPid: number | undefined;
  /** A separate control plane, reported beside. */
  controlPlanePid: number | undefined;
  /**
   * The CPU its control plane has used so far, in µs: the separate process's, or all-in-one's
   * control-plane thread's (part of `pid`'s). Undefined for non-Tollgate contenders.
   */
  controlPlaneCpuMicros(): number | undefined;
  secret(kind: CredentialKind): string;
  /** Usage records not yet acked by the control plane (0 for non-Tollgate contenders). */
  usageBacklog(): Promise<number>;
}

export interface Pending {
  name: ContenderName;
  reason: string;
}

export interface SlowStreamSettings {
  chunks: number;
  chunkDelayMs: number;
}

export interface EnvironmentOptions {
  contenders: readonly ContenderName[];
  /** A checkout whose data plane runs as the "baseline" contender. */
  baselineDir?: string | undefined;
  /** Start the slow-stream upstream (and the routes to it) with these settings. */
  slowStreams: SlowStreamSettings | undefined;
  /** Run the measured processes (Tollgate's and the floor) under `node --cpu-prof`, writing profiles to <dir>/<name>/. */
  cpuProfDir: string | undefined;
  /** More node flags for the same processes, `{name}` in each replaced by the contender's name. */
  nodeFlags: readonly string[];
  /** Moves every measured proxy process onto these CPUs once it has started (cpu-pinning.ts). */
  proxyCpus: string | undefined;
  logDir: string;
  workDir: string;
}

export interface Environment {
  contenders: Contender[];
  pending: Pending[];
  upstreamPids: { fast: number; slow: number | undefined };
  /** Lets every process it started run on `cpus` (undoing proxyCpus and the load CPUs they inherited). */
  spread(cpus: string): void;
  /** What runs at the lowest CPU priority (background-priority.ts), for the report; undefined when nothing does. */
  lowered(): string | undefined;
  close(): Promise<void>;
}

/**
 * V8 flags for every Node process started here when the run is pinned: each then has one CPU, alone
 * (the measured proxies) or shared with the load (upstream-sim, the control plane). V8's concurrent
 * marking and parallel GC tasks then get no CPU of their own, and the main thread waits for them: the
 * floor's scavenges took 5.3-5.6 ms against 0.8-1.4 with concurrent marking off, and it served a
 * quarter fewer requests (bench/README.md). Every process gets it, so no contender is compared with
 * one slowed by V8's defaults (the data plane's own CPU per request did not clearly move with it);
 * the slow streams, run unpinned, keep it.
 */
const ONE_CPU_NODE_FLAGS = ["--single-threaded-gc"];

const DIRECT_CREDENTIAL = "sk-sim-direct";
const SMALL_MESSAGE = Buffer.from(
  '{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}',
);

export async function startEnvironment(options: EnvironmentOptions): Promise<Environment> {
  const children: Child[] = [];
  const databases: TestDatabase[] = [];
  const redisPrefixes: TestRedisPrefix[] = [];
  let backgroundDatabase: DatabasePriority | undefined;
  let backgroundPlane: boolean | undefined;
  const track = async <T extends { child: Child } | Child>(started: Promise<T>): Promise<T> => {
    const value = await started;
    children.push("child" in value ? value.child : value);
    return value;
  };
  const close = async () => {
    await backgroundDatabase?.stop();
    for (const child of children.reverse()) await child.stop();
    for (const database of databases) await database.drop();
    for (const prefix of redisPrefixes) await prefix.cleanup();
  };
  const { logDir, workDir } = options;
  const oneCpu = options.proxyCpus ? ONE_CPU_NODE_FLAGS : [];
  // No request log: the bench reads none, and keeping one made the simulator, on the load's CPU,
  // promote every request's parsed body (125 KB per 76 KB request; 312 µs of scavenges each).
  const sim = (name: string, args: string[]) =>
    track(
      startChild({
        name,
        logDir,
        env: childEnv({}),
        args: tollgateArgs("upstream-sim", oneCpu, ["--port", "0", "--log-limit", "0", ...args]),
        ready: /upstream-sim listening on (\S+)/,
      } satisfies ChildSpec),
    );
  const url = (child: Child) => child.ready[1] as string;
  const ownCpu = (child: Child) => {
    if (options.proxyCpus && !pinProcess(child.pid, options.proxyCpus))
      throw new Error(`${child.name}: could not pin it to CPU ${options.proxyCpus}`);
  };

  try {
    const fastSim = await sim("upstream-sim", []);
    const slow = options.slowStreams;
    const slowSim = slow
      ? await sim("upstream-sim-slow", [
          "--chunks",
          String(slow.chunks),
          "--chunk-delay-ms",
          String(slow.chunkDelayMs),
          "--stamp-chunks",
        ])
      : undefined;
    const upstreams = { fast: url(fastSim), slow: slowSim ? url(slowSim) : url(fastSim) };
    const contenders: Contender[] = [];
    const pending: Pending[] = [];
    const wanted = new Set(options.contenders);
    const tokens = newTokens();
    const nodeOptions = (name: string) => [
      ...oneCpu,
      ...(options.cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", join(options.cpuProfDir, name)] : []),
      ...options.nodeFlags.map((flag) => flag.replaceAll("{name}", name)),
    ];

    if (wanted.has("direct")) {
      contenders.push(plain("direct", upstreams.fast, slowSim && upstreams.slow, undefined, undefined));
    }
    for (const name of (["floor", "floor-agent"] as const).filter((n) => wanted.has(n))) {
      const floor = (processName: string, upstream: string) =>
        track(
          startChild({
            name: processName,
            logDir,
            env: childEnv({}),
            args: [
              ...nodeOptions(processName),
              ...tsArgs("bench/floor-proxy.ts", [
                "--upstream",
                upstream,
                ...(name === "floor-agent" ? ["--agent"] : []),
              ]),
            ],
            ready: /floor proxy on (\S+)/,
          }),
        );
      const fast = await floor(name, upstreams.fast);
      const slowFloor = slowSim ? await floor(`${name}-slow`, upstreams.slow) : undefined;
      ownCpu(fast);
      if (slowFloor) ownCpu(slowFloor);
      contenders.push(plain(name, url(fast), slowFloor && url(slowFloor), fast.pid, slowFloor?.pid));
    }
    // A contender that cannot start is reported as unavailable; the others still run.
    const unlessFailing = async (names: ContenderName[], start: () => Promise<void>) => {
      try {
        await start();
      } catch (error) {
        // The first line says which process; the last line of its log usually says why.
        const lines = (error instanceof Error ? error.message : String(error)).split("\n").filter((l) => l.trim());
        const why = lines.length > 1 ? `${lines[0]} … ${lines[lines.length - 1]}` : (lines[0] ?? "");
        for (const name of names) pending.push({ name, reason: `could not start: ${why}` });
      }
    };
    if (wanted.has("all-in-one"))
      await unlessFailing(["all-in-one"], async () => {
        const aio = await track(
          startAllInOneProcess({ tokens, logDir, workDir, nodeOptions: nodeOptions("all-in-one") }),
        );
        ownCpu(aio.child);
        const tenants = await provisionBenchTenants(adminClient(aio.adminUrl, tokens.TOLLGATE_ADMIN_TOKEN), upstreams);
        await waitForKeys(aio.dataPlaneUrl, tenants);
        contenders.push(
          tollgate("all-in-one", aio.dataPlaneUrl, aio.child.pid, undefined, tenants, slowSim !== undefined),
        );
      });
    if (options.baselineDir) wanted.add("baseline");
    const separatePlanes = (["dataplane", "dataplane-redis", "baseline"] as const).filter((name) => wanted.has(name));
    if (separatePlanes.length > 0)
      await unlessFailing(separatePlanes, async () => {
        const database = await runDatabase();
        databases.push(database);
        const cp = await track(
          startControlPlaneProcess({
            name: "controlplane",
            tokens,
            databaseUrl: database.url,
            logDir,
            workDir,
            nodeOptions: oneCpu,
          }),
        );
        const tenants = await provisionBenchTenants(adminClient(cp.adminUrl, tokens.TOLLGATE_ADMIN_TOKEN), upstreams);
        if (options.proxyCpus) {
          backgroundPlane = lowerProcessPriority(cp.child.pid);
          backgroundDatabase = await lowerDatabasePriority(database.url, database.name);
        }
        const dataPlane = async (name: string, env: Record<string, string>, nodeOptions: string[], root?: string) => {
          const dp = await track(
            startDataPlaneProcess({ name, tokens, planeUrl: cp.planeUrl, logDir, workDir, env, nodeOptions, root }),
          );
          ownCpu(dp.child);
          await waitForKeys(dp.url, tenants);
          return dp;
        };
        const separate = (name: ContenderName, dp: { url: string; child: Child }) =>
          tollgate(name, dp.url, dp.child.pid, cp.child.pid, tenants, slowSim !== undefined);
        if (wanted.has("dataplane")) {
          contenders.push(separate("dataplane", await dataPlane("dataplane", {}, nodeOptions("dataplane"))));
        }
        if (options.baselineDir) {
          const baseline = await dataPlane("baseline", {}, nodeOptions("baseline"), options.baselineDir);
          contenders.push(separate("baseline", baseline));
        }
        if (wanted.has("dataplane-redis")) {
          const prefix = runRedisPrefix();
          redisPrefixes.push(prefix);
          const dp = await dataPlane(
            "dataplane-redis",
            { REDIS_URL, TOLLGATE_REDIS_PREFIX: prefix.prefix },
            nodeOptions("dataplane-redis"),
          );
          await probe(`${dp.url}/v1/messages`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-api-key": tenants.anthropic.secret },
            body: SMALL_MESSAGE,
          });
          if (hasConnectionToPort(dp.child.pid, Number(new URL(REDIS_URL).port || 6379))) {
            contenders.push(separate("dataplane-redis", dp));
          } else {
            await dp.child.stop();
            pending.push({
              name: "dataplane-redis",
              reason: `pending: \`tollgate dataplane\` started with REDIS_URL=${REDIS_URL} held no connection to Redis after serving a request: REDIS_URL is not honoured yet`,
            });
          }
        }
      });
    const spread = (cpus: string) => {
      for (const child of children) pinProcess(child.pid, cpus);
    };
    const lowered = () => {
      if (backgroundPlane === undefined) return undefined;
      if (!backgroundPlane) return "the control plane's CPU priority could not be lowered";
      if (backgroundDatabase?.held) return "the control plane and its PostgreSQL connections at nice 19";
      return "the control plane at nice 19, its PostgreSQL connections not (renicing them needs root)";
    };
    return { contenders, pending, upstreamPids: { fast: fastSim.pid, slow: slowSim?.pid }, spread, lowered, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function plain(
  name: ContenderName,
  fastUrl: string,
  slowUrl: string | undefined,
  pid: number | undefined,
  slowPid: number | undefined,
): Contender {
  return {
    name,
    url: fastUrl,
    slowUrl,
    pid,
    slowPid,
    controlPlanePid: undefined,
    controlPlaneCpuMicros: () => undefined,
    secret: () => DIRECT_CREDENTIAL,
    usageBacklog: async () => 0,
  };
}

function tollgate(
  name: ContenderName,
  dataPlaneUrl: string,
  pid: number,
  controlPlanePid: number | undefined,
  tenants: BenchTenants,
  slow: boolean,
): Contender {
  return {
    name,
    url: dataPlaneUrl,
    slowUrl: slow ? dataPlaneUrl : undefined,
    pid,
    slowPid: slow ? pid : undefined,
    controlPlanePid,
    controlPlaneCpuMicros:
      controlPlanePid === undefined
        ? () => namedThreadsCpuMicros(pid, CONTROL_PLANE_THREAD)
        : () => processCpuMicros(controlPlanePid),
    secret: (kind) => tenants[kind].secret,
    async usageBacklog() {
      const health = JSON.parse((await probe(`${dataPlaneUrl}/healthz`)).text) as { usageBacklog?: number };
      return health.usageBacklog ?? 0;
    },
  };
}

/** The data plane serves a key once its config holds it: every bench key answers its model list. */
export async function waitForKeys(dataPlaneUrl: string, tenants: BenchTenants): Promise<void> {
  const anthropic = (secret: string) => ({ "x-api-key": secret, "anthropic-version": "2023-06-01" });
  const checks: Array<Record<string, string>> = [
    anthropic(tenants.anthropic.secret),
    anthropic(tenants.slow.secret),
    { authorization: `Bearer ${tenants.openai.secret}` },
  ];
  for (const headers of checks) {
    await waitUntil(`${dataPlaneUrl} to accept the bench keys`, async () => {
      return (await probe(`${dataPlaneUrl}/v1/models`, { headers })).status === 200;
    });
  }
}
