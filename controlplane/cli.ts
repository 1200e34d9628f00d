import { fileURLToPath } from "node:url";
import { controlPlaneConfigFromEnv } from "./env-config.js";
import { startControlPlane } from "./server.js";

// `tollgate controlplane`: wiring only. Configuration comes from the environment (DESIGN §2).

const USAGE = `usage: tollgate controlplane

Runs the admin API (and web admin) on TOLLGATE_CONTROLPLANE_PORT (8081) and the data-plane service on
TOLLGATE_PLANE_PORT (8082, h2c), bound to TOLLGATE_HOST (127.0.0.1). PostgreSQL at DATABASE_URL, else
PGlite under TOLLGATE_DATA_DIR (./data). Tokens: TOLLGATE_ADMIN_TOKEN, TOLLGATE_NODE_TOKEN,
TOLLGATE_SECRET_KEY (generated into the data dir when unset). TOLLGATE_ALLOW_PRIVATE_UPSTREAMS=1 allows
upstream base URLs on private addresses. TOLLGATE_WEB_ROOT overrides where the web admin is served from.
TOLLGATE_USAGE_RETENTION_DAYS=N deletes raw usage logs older than N days (checked hourly, in small
batches); the hourly and daily usage rollups are kept, so usage stats keep their history. Unset: logs
are kept forever.
`;

const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../web-admin/dist", import.meta.url));

/** The innermost cause, on one line: drizzle wraps driver errors in a multi-line "Failed query" message. */
function reason(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  return (current instanceof Error ? current.message : String(current)).replace(/\s+/g, " ").trim();
}

function fail(message: string): never {
  process.stderr.write(`tollgate controlplane: ${message}\n`);
  process.exit(1);
}

export async function runControlPlaneCommand(args: string[]): Promise<void> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(USAGE);
    return;
  }
  if (args.length > 0) fail(`unknown argument "${args[0]}" (configuration is read from the environment; see --help)`);
  const config = controlPlaneConfigFromEnv(process.env, DEFAULT_WEB_ROOT);
  if (!config.ok) fail(config.error);

  let running: Awaited<ReturnType<typeof startControlPlane>>;
  try {
    running = await startControlPlane(config.options);
  } catch (error) {
    fail(`cannot start: ${reason(error)}`);
  }
  process.stdout.write(
    `tollgate controlplane: admin API on ${running.adminUrl}, data-plane service on ${running.planeUrl}\n`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`tollgate controlplane: ${signal}, closing\n`);
    running.close().then(
      () => process.exit(0),
      (error: unknown) => fail(`close failed: ${reason(error)}`),
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
