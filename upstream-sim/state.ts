import { randomBytes } from "node:crypto";
import { AccountBook } from "./accounts.js";
import { FaultScript } from "./fault-script.js";
import { PromptCache } from "./prompt-cache.js";
import { DEFAULT_REPLY } from "./reply.js";
import { RequestLog } from "./request-log.js";
import type { UpstreamSimOptions } from "./types.js";

export interface SimSettings {
  replyText: string;
  chunks: number | undefined;
  chunkDelayMs: number;
  stampChunks: boolean;
  oauthExpiresInSeconds: number;
  quiet: boolean;
}

/** Everything one simulator instance remembers. */
export class SimState {
  readonly settings: SimSettings;
  readonly log: RequestLog;
  readonly script = new FaultScript();
  readonly accounts = new AccountBook();
  readonly cache = new PromptCache();
  private readonly instance = randomBytes(3).toString("hex");
  private serial = 0;

  constructor(options: UpstreamSimOptions) {
    this.settings = {
      replyText: options.replyText ?? DEFAULT_REPLY,
      chunks: options.chunks,
      chunkDelayMs: options.chunkDelayMs ?? 0,
      stampChunks: options.stampChunks ?? false,
      oauthExpiresInSeconds: options.oauthExpiresInSeconds ?? 3600,
      quiet: options.quiet ?? true,
    };
    this.log = new RequestLog(options.logLimit ?? 5000);
  }

  /** Unique per response, sortable within an instance. */
  nextResponseId(): string {
    return `sim${this.instance}${(++this.serial).toString(36).padStart(6, "0")}`;
  }

  reset(): void {
    this.script.clear();
    this.log.clear();
    this.accounts.clear();
    this.cache.clear();
  }
}
