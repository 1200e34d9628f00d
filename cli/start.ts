import { fileURLToPath } from "node:url";
import { createRouterTransport } from "@connectrpc/connect";
import { controlPlaneConfigFromEnv } from "../controlplane/env-config.js";
import { startControlPlane } from "../controlplane/index.js";
import { startDataPlane } from "../dataplane/index.js";
import { dataPlaneSettingsFromEnv } from "../dataplane/settings.js";

// `npm start`: the control plane and one data plane in one process, PGlite under the data dir and
// in-memory routing state: nothing to install. The data plane still talks to the control plane only
// through the plane contract, over an in-process Connect transport.

const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../web-admin/dist", import.meta.url));

export async function runStartCommand(args: string[]): Promise<void> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(
      "usage: tollgate start\n\nControl plane (TOLLGATE_CONTROLPLANE_PORT, 8081) and data plane (TOLLGATE_DATAPLANE_PORT, 8080) in one process.\n",
    );
    return;
  }
  const cpConfig = controlPlaneConfigFromEnv(process.env, DEFAULT_WEB_ROOT);
  if (!cpConfig.ok) fail(cpConfig.error);
  const dpConfig = dataPlaneSettingsFromEnv(process.env);
  if (!dpConfig.ok) fail(dpConfig.error);

  let controlPlane: Awaited<ReturnType<typeof startControlPlane>>;
  try {
    controlPlane = await startControlPlane(cpConfig.options);
  } catch (error) {
    fail(`cannot start the control plane: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { planeRoutes, nodeToken } = controlPlane.controlPlane;
  let dataPlane: Awaited<ReturnType<typeof startDataPlane>>;
  try {
    dataPlane = await startDataPlane({
      ...dpConfig.settings,
      planeTransport: (interceptors) => createRouterTransport(planeRoutes, { transport: { interceptors } }),
      nodeToken,
      nodeId: "embedded",
      dataDir: cpConfig.options.dataDir,
    });
  } catch (error) {
    await controlPlane.close();
    fail(`cannot start the data plane: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.stdout.write(
    `tollgate: data plane on ${dataPlane.url}, admin API and web admin on ${controlPlane.adminUrl}, plane service on ${controlPlane.planeUrl}\n`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`tollgate: ${signal}, closing\n`);
    dataPlane
      .close()
      .then(() => controlPlane.close())
      .then(
        () => process.exit(0),
        (error: unknown) => fail(`close failed: ${String(error)}`),
      );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

function fail(message: string): never {
  process.stderr.write(`tollgate: ${message}\n`);
  process.exit(1);
}
