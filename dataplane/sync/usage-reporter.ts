import { create } from "@bufbuild/protobuf";
import { type Client, ConnectError } from "@connectrpc/connect";
import {
  type PlaneService,
  type UsageBatch,
  UsageBatchSchema,
  type UsageRecord,
} from "../../gen/tollgate/plane/v1/plane_pb.js";
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from "./backoff.js";
import { sleep } from "./sleep.js";

// Streams usage records to the control plane over ReportUsage and forgets a record only when the
// batch holding it is acked (the control plane acks after commit). Batches in flight when the
// stream breaks are sent again: the control plane applies by request_id, so a resend bills once.

export interface UsageReporterOptions {
  client: Client<typeof PlaneService>;
  log: (level: "info" | "warn", message: string, detail?: Record<string, unknown>) => void;
  maxBatch?: number;
  /** How long a record may wait for others to fill its batch. */
  lingerMs?: number;
  backoff?: BackoffPolicy;
}

export class UsageReporter {
  private pending: UsageRecord[] = [];
  private readonly inFlight = new Map<bigint, UsageRecord[]>();
  private nextBatchId = 1n;
  private wake: (() => void) | undefined;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private idleWaiters: Array<() => void> = [];
  private readonly maxBatch: number;
  private readonly lingerMs: number;

  constructor(private readonly options: UsageReporterOptions) {
    this.maxBatch = options.maxBatch ?? 200;
    this.lingerMs = options.lingerMs ?? 20;
  }

  submit(record: UsageRecord): void {
    this.pending.push(record);
    this.wake?.();
  }

  /** Records not yet acked. */
  get backlog(): number {
    let n = this.pending.length;
    for (const batch of this.inFlight.values()) n += batch.length;
    return n;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Resolves true once every submitted record is acked, false if the deadline passed first. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.backlog === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    const backoff = this.options.backoff ?? DEFAULT_BACKOFF;
    let failures = 0;
    while (!this.abort.signal.aborted) {
      const session = new AbortController();
      const onStop = () => session.abort();
      this.abort.signal.addEventListener("abort", onStop, { once: true });
      try {
        const acks = this.options.client.reportUsage(this.batches(session.signal), { signal: session.signal });
        for await (const ack of acks) {
          failures = 0;
          this.inFlight.delete(ack.batchId);
          if (this.backlog === 0) this.notifyIdle();
        }
      } catch (error) {
        if (!this.abort.signal.aborted) {
          this.options.log("warn", "usage stream failed; unacked records will be resent", {
            backlog: this.backlog,
            error: ConnectError.from(error).message,
          });
        }
      } finally {
        session.abort();
        this.abort.signal.removeEventListener("abort", onStop);
      }
      this.requeueInFlight();
      if (this.abort.signal.aborted) break;
      await sleep(backoffDelay(failures++, backoff), this.abort.signal);
    }
  }

  private async *batches(signal: AbortSignal): AsyncGenerator<UsageBatch> {
    while (!signal.aborted) {
      if (this.pending.length === 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          signal.addEventListener("abort", () => resolve(), { once: true });
        });
        this.wake = undefined;
        continue;
      }
      if (this.pending.length < this.maxBatch && this.lingerMs > 0) await sleep(this.lingerMs, signal);
      if (signal.aborted) return;
      const records = this.pending.splice(0, this.maxBatch);
      const batchId = this.nextBatchId++;
      this.inFlight.set(batchId, records);
      yield create(UsageBatchSchema, { batchId, records });
    }
  }

  private requeueInFlight(): void {
    if (this.inFlight.size === 0) return;
    const resend = [...this.inFlight.values()].flat();
    this.inFlight.clear();
    this.pending = resend.concat(this.pending);
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
