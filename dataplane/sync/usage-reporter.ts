import { type Client, ConnectError } from "@connectrpc/connect";
import type { PlaneService, UsageBatch, UsageRecord } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from "./backoff.js";
import { sleep } from "./sleep.js";
import type { SpooledRecord } from "./spool-line.js";
import type { SyncLog } from "./sync-log.js";
import { usageBatch } from "./usage-batch.js";
import { UsageSpool } from "./usage-spool.js";

// Streams usage records to the control plane over ReportUsage. A record is spooled to disk first and
// sent once it is durable; it leaves the spool only when the batch holding it is acked (the control
// plane acks after commit). Batches in flight when the stream breaks are sent again, and so are the
// spool's unacked records after a restart: the control plane applies by request_id, so a resend bills
// once.

/** Told of each record's way through the spool (the spend guard counts what is not yet billed). */
export interface UsageListener {
  /** A record entered the spool: a new one, or one replayed at start. */
  spooled(record: UsageRecord): void;
  /** The control plane acked the records of these requests: they are billed. */
  acked(requestIds: readonly string[]): void;
}

export interface UsageReporterOptions {
  client: Client<typeof PlaneService>;
  log: SyncLog;
  /** The spool's folder. */
  spoolDir: string;
  listener?: UsageListener;
  /** The most records one batch carries. Default DEFAULT_MAX_BATCH. */
  maxBatch?: number;
  /**
   * How long a record may wait for others to fill its batch. Default 100 ms: each batch is one
   * transaction on the control plane, whose fixed cost (about 8 ms on the embedded PGlite) a batch of
   * a 20 ms wait paid for a handful of records; an ack waits for the next publication (every 250 ms)
   * anyway.
   */
  lingerMs?: number;
  backoff?: BackoffPolicy;
  /** Spool segment size (tests use small ones). */
  segmentBytes?: number;
  /**
   * Batches sent and none acked for this long: the stream is taken for hung (a control plane or a
   * proxy between that stopped answering without closing it) and opened anew. Default 30 s.
   */
  ackTimeoutMs?: number;
}

const DEFAULT_ACK_TIMEOUT_MS = 30_000;
const DEFAULT_LINGER_MS = 100;
/**
 * Each batch is a usage transaction on the control plane (or part of one: it groups batches that wait),
 * whose fixed cost larger batches spread. With 200, all-in-one at saturation spent 178-202 µs of CPU
 * per request; with 1,000, 162-172 µs (npm run bench -- --only saturation, two runs each way). Below
 * 10,000 records a second the 100 ms linger, not this, closes a batch. About 250 KB encoded.
 */
export const DEFAULT_MAX_BATCH = 1000;

export class UsageReporter {
  private pending: SpooledRecord[] = [];
  private readonly inFlight = new Map<bigint, SpooledRecord[]>();
  private nextBatchId = 1n;
  private wake: (() => void) | undefined;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private idleWaiters: Array<() => void> = [];
  private readonly maxBatch: number;
  private readonly lingerMs: number;
  /** When the stream last showed progress: an ack, or a batch sent while none was waiting for one. */
  private progressAt = 0;

  private constructor(
    private readonly options: UsageReporterOptions,
    private readonly spool: UsageSpool,
  ) {
    this.maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.lingerMs = options.lingerMs ?? DEFAULT_LINGER_MS;
  }

  /** Opens the spool (replaying what it holds) and returns a reporter ready to start. */
  static async open(options: UsageReporterOptions): Promise<UsageReporter> {
    let reporter: UsageReporter | undefined;
    const { spool, replayed } = await UsageSpool.open({
      dir: options.spoolDir,
      log: options.log,
      segmentBytes: options.segmentBytes,
      onDurable: (records) => reporter?.queue(records),
    });
    reporter = new UsageReporter(options, spool);
    for (const { record } of replayed) options.listener?.spooled(record);
    reporter.queue(replayed.map(({ record, bytes }) => ({ requestId: record.requestId, bytes })));
    return reporter;
  }

  submit(record: UsageRecord): void {
    if (record.requestId === "") {
      this.options.log("warn", "usage record without request_id dropped");
      return;
    }
    this.options.listener?.spooled(record);
    this.spool.append(record);
  }

  /** Runs `run` once every record submitted so far is written to the spool (see UsageSpool.whenWritten). */
  whenWritten(run: () => void, alone?: boolean): void {
    this.spool.whenWritten(run, alone);
  }

  /** Records not yet acked. */
  get backlog(): number {
    return this.spool.backlog;
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

  /** Stops reporting; unacked records stay in the spool for the next start. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    await this.running;
    await this.spool.close();
  }

  private queue(records: readonly SpooledRecord[]): void {
    if (records.length === 0) return;
    this.pending.push(...records);
    this.wake?.();
  }

  private async loop(): Promise<void> {
    const backoff = this.options.backoff ?? DEFAULT_BACKOFF;
    let failures = 0;
    while (!this.abort.signal.aborted) {
      const session = new AbortController();
      const onStop = () => session.abort();
      this.abort.signal.addEventListener("abort", onStop, { once: true });
      const watchdog = this.watchAcks(session);
      try {
        const acks = this.options.client.reportUsage(this.batches(session.signal), { signal: session.signal });
        for await (const ack of acks) {
          failures = 0;
          this.progressAt = performance.now();
          const spooled = this.inFlight.get(ack.batchId);
          if (!spooled) continue;
          this.inFlight.delete(ack.batchId);
          const requestIds = spooled.map((s) => s.requestId);
          this.spool.ack(requestIds);
          this.options.listener?.acked(requestIds);
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
        clearInterval(watchdog);
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
        // The stream's signal outlives many waits: each takes its abort listener off when woken.
        await new Promise<void>((resolve) => {
          const done = () => {
            signal.removeEventListener("abort", done);
            resolve();
          };
          this.wake = done;
          signal.addEventListener("abort", done, { once: true });
        });
        this.wake = undefined;
        continue;
      }
      if (this.pending.length < this.maxBatch && this.lingerMs > 0) await sleep(this.lingerMs, signal);
      if (signal.aborted) return;
      const records = this.pending.splice(0, this.maxBatch);
      const batchId = this.nextBatchId++;
      if (this.inFlight.size === 0) this.progressAt = performance.now();
      this.inFlight.set(batchId, records);
      yield usageBatch(
        batchId,
        records.map((r) => r.bytes),
      );
    }
  }

  /** Aborts the session when its batches wait longer than ackTimeoutMs for any ack. */
  private watchAcks(session: AbortController): NodeJS.Timeout {
    const timeoutMs = this.options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
    const timer = setInterval(
      () => {
        if (this.inFlight.size === 0 || performance.now() - this.progressAt < timeoutMs) return;
        this.options.log("warn", "usage stream acked nothing in time; reconnecting", {
          waitedMs: Math.round(performance.now() - this.progressAt),
          backlog: this.backlog,
        });
        session.abort(new Error(`no ack in ${timeoutMs} ms`));
      },
      Math.max(10, timeoutMs / 4),
    );
    timer.unref();
    return timer;
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
