import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseFaultSteps } from "./fault-script.js";
import { handleRequest, refuseUpgrade } from "./handler.js";
import { SimState } from "./state.js";
import type { FaultStep, UpstreamSim, UpstreamSimOptions } from "./types.js";

export { DEFAULT_REPLY } from "./reply.js";
export type {
  CredentialSource,
  FaultKind,
  FaultStep,
  Operation,
  Outcome,
  Protocol,
  RateLimitHint,
  SimRequest,
  UpstreamSim,
  UpstreamSimOptions,
} from "./types.js";

/** Starts a simulated Anthropic / OpenAI / Gemini / Antigravity upstream on loopback (port 0 by default). */
export async function startUpstreamSim(options: UpstreamSimOptions = {}): Promise<UpstreamSim> {
  const state = new SimState(options);
  const server = createServer({ noDelay: true, keepAlive: true }, (req, res) => handleRequest(state, req, res));
  server.on("upgrade", (req, socket) => refuseUpgrade(state, req, socket));
  // Gateways pool connections to their upstream; keep idle ones open longer than their pools do.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    requests: () => state.log.list(),
    clearRequests: () => state.log.clear(),
    script(credential: string, steps: FaultStep[]) {
      const checked = parseFaultSteps(steps);
      if (typeof checked === "string") throw new TypeError(`upstream-sim script: ${checked}`);
      state.script.add(state.accounts.accountOf(credential), checked);
    },
    linkCredential: (credential, account) => state.accounts.link(credential, account),
    reset: () => state.reset(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Hanging requests and slow streams would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
