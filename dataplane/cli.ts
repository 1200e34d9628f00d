import { parseArgs } from "node:util";
import { startDataPlane } from "./index.js";
import { planeTransportTo } from "./plane-transport.js";
import { dataPlaneSettingsFromEnv } from "./settings.js";

// `tollgate dataplane --control-plane URL`: a data plane process of its own.
export async function runDataPlaneCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { "control-plane": { type: "string" }, help: { type: "boolean" } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write("usage: tollgate dataplane --control-plane http://HOST:PLANE_PORT\n");
    return;
  }
  const controlPlane = values["control-plane"] ?? process.env.TOLLGATE_CONTROL_PLANE_URL;
  if (!controlPlane)
    fail("--control-plane URL (or TOLLGATE_CONTROL_PLANE_URL) is required: the control plane's plane port");
  if (!URL.canParse(controlPlane) || !/^https?:$/.test(new URL(controlPlane).protocol))
    fail(`--control-plane: "${controlPlane}" is not an http(s) URL`);
  const parsed = dataPlaneSettingsFromEnv(process.env);
  if (!parsed.ok) fail(parsed.error);
  const { settings } = parsed;
  if (!settings.nodeToken) fail("TOLLGATE_NODE_TOKEN is required: the token the control plane printed or was given");

  let dataPlane: Awaited<ReturnType<typeof startDataPlane>>;
  try {
    dataPlane = await startDataPlane({
      ...settings,
      nodeToken: settings.nodeToken,
      planeTransport: planeTransportTo(controlPlane),
    });
  } catch (error) {
    fail(`cannot start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.stdout.write(`tollgate data plane on ${dataPlane.url} (control plane ${controlPlane})\n`);
  // Drains first (README "Operating"): /readyz fails, in-flight requests finish, usage is acked.
  const stop = () => {
    dataPlane.close().then(
      () => process.exit(0),
      (error: unknown) => fail(`close failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

function fail(message: string): never {
  process.stderr.write(`tollgate dataplane: ${message}\n`);
  process.exit(1);
}
