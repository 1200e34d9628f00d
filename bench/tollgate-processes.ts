import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { type Child, childEnv, startChild, tollgateArgs } from "./child.js";

// Tollgate's own commands as separate processes, configured only through their documented
// environment (DESIGN §2), on ephemeral ports.

export interface Tokens {
  TOLLGATE_ADMIN_TOKEN: string;
  TOLLGATE_NODE_TOKEN: string;
  TOLLGATE_SECRET_KEY: string;
}

export function newTokens(): Tokens {
  return {
    TOLLGATE_ADMIN_TOKEN: `bench-admin-${randomBytes(8).toString("hex")}`,
    TOLLGATE_NODE_TOKEN: `bench-node-${randomBytes(8).toString("hex")}`,
    TOLLGATE_SECRET_KEY: randomBytes(32).toString("base64url"),
  };
}

export interface ControlPlaneProcess {
  child: Child;
  adminUrl: string;
  planeUrl: string;
}

export async function startControlPlaneProcess(options: {
  name: string;
  tokens: Tokens;
  databaseUrl: string;
  logDir: string;
  workDir: string;
  nodeOptions?: string[];
}): Promise<ControlPlaneProcess> {
  const child = await startChild({
    name: options.name,
    logDir: options.logDir,
    args: tollgateArgs("controlplane", options.nodeOptions),
    env: childEnv({
      ...options.tokens,
      TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: "1",
      DATABASE_URL: options.databaseUrl,
      TOLLGATE_DATA_DIR: join(options.workDir, `${options.name}-data`),
      TOLLGATE_CONTROLPLANE_PORT: "0",
      TOLLGATE_PLANE_PORT: "0",
    }),
    ready: /admin API on (\S+), data-plane service on (\S+)/,
  });
  return { child, adminUrl: child.ready[1] as string, planeUrl: child.ready[2] as string };
}

export interface DataPlaneProcess {
  child: Child;
  url: string;
}

export async function startDataPlaneProcess(options: {
  name: string;
  tokens: Tokens;
  planeUrl: string;
  logDir: string;
  workDir: string;
  env?: Record<string, string>;
  nodeOptions?: string[];
  /** Another checkout to run the data plane from (bench --baseline). */
  root?: string;
}): Promise<DataPlaneProcess> {
  const child = await startChild({
    name: options.name,
    logDir: options.logDir,
    args: tollgateArgs("dataplane", options.nodeOptions ?? [], ["--control-plane", options.planeUrl], options.root),
    env: childEnv({
      TOLLGATE_NODE_TOKEN: options.tokens.TOLLGATE_NODE_TOKEN,
      // upstream-sim listens on loopback; the data plane checks the address it connects to.
      TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: "1",
      TOLLGATE_DATAPLANE_PORT: "0",
      // Its persisted config and usage spool: one folder per data plane.
      TOLLGATE_DATA_DIR: join(options.workDir, `${options.name}-data`),
      ...options.env,
    }),
    ready: /tollgate data plane on (\S+)/,
  });
  return { child, url: child.ready[1] as string };
}

export interface AllInOneProcess {
  child: Child;
  dataPlaneUrl: string;
  adminUrl: string;
}

/** `tollgate start`: control plane, PGlite and data plane in one process. */
export async function startAllInOneProcess(options: {
  tokens: Tokens;
  logDir: string;
  workDir: string;
  nodeOptions?: string[];
}): Promise<AllInOneProcess> {
  const child = await startChild({
    name: "all-in-one",
    logDir: options.logDir,
    args: tollgateArgs("start", options.nodeOptions ?? []),
    env: childEnv({
      ...options.tokens,
      TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: "1",
      TOLLGATE_DATA_DIR: join(options.workDir, "all-in-one-data"),
      TOLLGATE_DATAPLANE_PORT: "0",
      TOLLGATE_CONTROLPLANE_PORT: "0",
      TOLLGATE_PLANE_PORT: "0",
    }),
    ready: /tollgate: data plane on (\S+), admin API and web admin on (\S+),/,
    // PGlite runs initdb on a new data folder.
    timeoutMs: 120_000,
  });
  return { child, dataPlaneUrl: child.ready[1] as string, adminUrl: child.ready[2] as string };
}
