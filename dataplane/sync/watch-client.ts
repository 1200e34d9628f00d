import { type Client, ConnectError } from "@connectrpc/connect";
import type { PlaneService } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { ConfigHolder } from "../config/config-holder.js";
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from "./backoff.js";
import { sleep } from "./sleep.js";

// Keeps the config current: WatchConfig from the version held, apply each update, reconnect with
// jittered backoff when the stream ends. While the control plane is away the last view keeps
// serving (static stability).

export interface WatchClientOptions {
  client: Client<typeof PlaneService>;
  holder: ConfigHolder;
  nodeId: string;
  backoff?: BackoffPolicy;
  log: (level: "info" | "warn", message: string, detail?: Record<string, unknown>) => void;
  /** Called after each applied update (for persistence and metrics). */
  onApplied?: (version: bigint) => void;
}

export class WatchClient {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  connected = false;

  constructor(private readonly options: WatchClientOptions) {}

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const { client, holder, nodeId, log } = this.options;
    const backoff = this.options.backoff ?? DEFAULT_BACKOFF;
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        const stream = client.watchConfig(
          { nodeId, knownVersion: holder.current.version },
          { signal: this.abort.signal },
        );
        for await (const update of stream) {
          if (!this.connected) log("info", "config stream connected", { version: String(holder.current.version) });
          this.connected = true;
          failures = 0;
          holder.apply(update);
          this.options.onApplied?.(update.version);
        }
        log("warn", "config stream ended by the control plane");
      } catch (error) {
        if (this.abort.signal.aborted) break;
        log("warn", "config stream failed; serving the last config", {
          version: String(holder.current.version),
          error: ConnectError.from(error).message,
        });
      }
      this.connected = false;
      const delay = backoffDelay(failures++, backoff);
      await sleep(delay, this.abort.signal);
    }
  }
}
