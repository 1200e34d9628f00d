import { closeSync, fdatasync, fsync, openSync, writeSync } from "node:fs";
import { mkdir, open, readdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { UsageRecord } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { acquireDirLock } from "./dir-lock.js";
import {
  ackPayload,
  LineBuffer,
  type LineKind,
  lineBytes,
  parseSpoolLine,
  type ReplayedRecord,
  recordPayload,
  type SpooledRecord,
} from "./spool-line.js";
import type { SyncLog } from "./sync-log.js";
import { encodeUsageRecord } from "./usage-record-bytes.js";

// The durable usage spool (DESIGN §6: spooled before it is reported, dropped only after the ack).
//
// - append() queues the record's line; every line queued in one turn of the event loop is written
//   at its end in one synchronous write into the page cache (at saturation a turn finished up to
//   about ten requests on average, and one write each was the largest single cost the spool added
//   to a request).
//   whenWritten() runs a callback once the lines queued so far are written: the answer's last bytes
//   wait for it, so a process killed at any moment never leaves a client holding an answer whose
//   record is not in the file. For a caller that is alone (the only request the data plane serves) the
//   lines are written at once instead: no other line could join the turn's write, and waiting for the
//   turn's end cost 7-10 µs of a request at 500 requests/s (throwaway marks in npm run bench's
//   latency section); append to callback went from 27 to 23 µs (p50, two spools alternating, a record
//   every 2 ms, a throwaway). At saturation lines keep being gathered per turn.
//   A process dying of an uncaught exception writes what is queued as it exits. The next group commit
//   fdatasyncs the lines, together with every line written meanwhile, so the file survives a machine
//   crash within tens of ms without one fsync per request. Only then is the record handed on to be
//   reported.
// - ack() queues an ack line the same way; acks are not synced on their own: a lost ack only means a
//   resend, and the control plane applies by request_id.
// - Lines go to numbered segment files. A full segment is closed and a new one started; a closed
//   segment whose records are all acked is deleted, so the disk holds the unacked records plus at most
//   about two segments.
// - open() replays every segment: records without an ack line are reported again. A torn or corrupt
//   line is skipped (logged), and writing always continues in a fresh segment.

const SEGMENT_NAME = /^(\d{12})\.spool$/;
const DEFAULT_SEGMENT_BYTES = 1024 * 1024;
// Group commits start at most this often. Each fdatasync costs kernel time in the thread pool, and at
// 500 requests a second 100 of them a second (a 10 ms interval) were about a tenth of the data plane's
// CPU; 50 ms cuts that to 20 and delays no report, since a batch lingers 100 ms for more records
// anyway. Every line is in the page cache before its answer's last bytes leave (a killed process
// loses nothing billed); a machine crash can lose the last 50 ms.
const MIN_SYNC_INTERVAL_MS = 50;

const fdatasyncAsync = promisify(fdatasync);
const fsyncAsync = promisify(fsync);

export interface UsageSpoolOptions {
  /** The spool's own folder (created when missing). */
  dir: string;
  log: SyncLog;
  /** Records whose lines are on disk: they may now be reported. */
  onDurable: (records: SpooledRecord[]) => void;
  /** A segment is closed once it grows past this size. */
  segmentBytes?: number;
}

interface Segment {
  readonly seq: number;
  readonly path: string;
  /** Open while the segment is written to or awaits its last sync. */
  fd: number | undefined;
  bytes: number;
  /** Records in this segment not yet acked. */
  live: number;
  /** Written since its last sync. */
  dirty: boolean;
  /** An fdatasync of it is running: its fd must stay open. */
  syncing: boolean;
}

export interface OpenedSpool {
  spool: UsageSpool;
  /** Records spooled before and never acked, oldest first: report them again. */
  replayed: ReplayedRecord[];
}

export class UsageSpool {
  private readonly segments: Segment[] = [];
  private active: Segment;
  private readonly segmentOf = new Map<string, Segment>();
  private unsynced: SpooledRecord[] = [];
  private commit: Promise<void> | undefined;
  private newSegment = false;
  private closed = false;
  private readonly segmentBytes: number;
  private lastSyncAt = 0;
  /** Lines queued in this turn, to be written at its end; the active segment's bytes count them. */
  private readonly queued = new LineBuffer();
  private flushScheduled = false;
  private afterFlush: Array<() => void> = [];
  private readonly flushAtTurnEnd = () => {
    this.flushScheduled = false;
    this.flush();
  };
  /** Writes what is queued and runs the callbacks waiting for it (at the turn's end, or earlier for a caller alone). */
  private flush(): void {
    this.writeQueued();
    const callbacks = this.afterFlush;
    this.afterFlush = [];
    for (const run of callbacks) {
      try {
        run();
      } catch (error) {
        this.options.log("warn", "usage spool: a callback waiting for a write failed", {
          error: (error as Error).message,
        });
      }
    }
  }
  private readonly writeOnExit = () => this.writeQueued();

  private constructor(
    private readonly options: UsageSpoolOptions,
    private readonly unlock: () => Promise<void>,
    replayedSegments: Segment[],
  ) {
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.segments.push(...replayedSegments);
    const nextSeq = (replayedSegments.at(-1)?.seq ?? 0) + 1;
    this.active = this.startSegment(nextSeq);
  }

  static async open(options: UsageSpoolOptions): Promise<OpenedSpool> {
    await mkdir(options.dir, { recursive: true });
    const unlock = await acquireDirLock(options.dir);
    try {
      const { segments, live, damaged } = await readSegments(options.dir);
      if (damaged > 0) {
        options.log("warn", "usage spool: skipped torn or corrupt lines", { dir: options.dir, lines: damaged });
      }
      const spool = new UsageSpool(options, unlock, segments);
      for (const [requestId, { segment }] of live) spool.segmentOf.set(requestId, segment);
      await spool.syncDirectory();
      spool.dropEmptySegments();
      const replayed = [...live.values()].map(({ record, bytes }) => ({ record, bytes }));
      if (replayed.length > 0) {
        options.log("info", "usage spool: replaying unacked records", { dir: options.dir, records: replayed.length });
      }
      process.on("exit", spool.writeOnExit);
      return { spool, replayed };
    } catch (error) {
      await unlock();
      throw error;
    }
  }

  /** Records spooled and not yet acked. */
  get backlog(): number {
    return this.segmentOf.size;
  }

  append(record: UsageRecord): void {
    if (this.closed) {
      // Only a request still running past the data plane's close gets here: nothing is left to report it.
      this.options.log("warn", "usage record arrived after the spool closed and is lost", {
        requestId: record.requestId,
      });
      return;
    }
    if (this.segmentOf.has(record.requestId)) return;
    const bytes = encodeUsageRecord(record);
    this.queue("r", recordPayload(bytes));
    this.active.live++;
    this.active.dirty = true;
    this.segmentOf.set(record.requestId, this.active);
    this.unsynced.push({ requestId: record.requestId, bytes });
    this.scheduleSync();
  }

  ack(requestIds: readonly string[]): void {
    const known: string[] = [];
    for (const id of requestIds) {
      const segment = this.segmentOf.get(id);
      if (!segment) continue;
      this.segmentOf.delete(id);
      segment.live--;
      known.push(id);
    }
    if (known.length === 0 || this.closed) return;
    this.queue("a", ackPayload(known));
    this.dropEmptySegments();
  }

  /**
   * Runs `run` once every line queued so far is written: at once when none waits, or `alone` (nothing
   * else could join this turn's write: the lines are written now), else at the turn's end.
   */
  whenWritten(run: () => void, alone = false): void {
    if (this.queued.lines === 0) {
      run();
      return;
    }
    this.afterFlush.push(run);
    if (alone) this.flush();
  }

  /** Syncs what was written and closes the files; unacked records stay for the next open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    process.off("exit", this.writeOnExit);
    while (this.commit) await this.commit;
    for (const segment of this.segments) closeFd(segment);
    await this.unlock();
  }

  private queue(kind: LineKind, payload: string): void {
    if (this.active.bytes > 0 && this.active.bytes + lineBytes(payload) > this.segmentBytes) {
      this.writeQueued();
      this.roll();
    }
    this.active.bytes += this.queued.add(kind, payload);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushAtTurnEnd);
    }
  }

  private writeQueued(): void {
    const { lines } = this.queued;
    if (lines === 0) return;
    const bytes = this.queued.take();
    try {
      const written = writeSync(this.active.fd as number, bytes);
      if (written < bytes.length) throw new Error(`short write (${written} of ${bytes.length} bytes)`);
    } catch (error) {
      // A full or failing disk must not lose the records: they are still reported from memory. The next
      // line goes to a new segment, so it is never glued to a partial one.
      this.active.bytes = this.segmentBytes;
      this.options.log("warn", "usage spool write failed; the records are kept in memory only", {
        lines,
        error: (error as Error).message,
      });
    }
  }

  private roll(): void {
    const previous = this.active;
    this.active = this.startSegment(previous.seq + 1);
    closeIfDone(previous);
    this.dropEmptySegments();
  }

  private startSegment(seq: number): Segment {
    const path = join(this.options.dir, `${String(seq).padStart(12, "0")}.spool`);
    const segment: Segment = { seq, path, fd: openSync(path, "wx"), bytes: 0, live: 0, dirty: false, syncing: false };
    this.segments.push(segment);
    this.newSegment = true;
    return segment;
  }

  private scheduleSync(): void {
    // Wait at least one turn of the event loop so every record finished in this turn joins the same
    // commit, and until the minimum interval since the last commit began.
    this.commit ??= this.syncLoop();
  }

  private untilNextSync(): Promise<void> {
    const wait = this.lastSyncAt + MIN_SYNC_INTERVAL_MS - performance.now();
    return new Promise<void>((resolve) => (wait > 0 ? setTimeout(resolve, wait) : setImmediate(resolve)));
  }

  private async syncLoop(): Promise<void> {
    try {
      while (this.unsynced.length > 0) {
        await this.untilNextSync();
        // A line queued after this wait began is still unwritten: the sync must follow its write.
        this.writeQueued();
        this.lastSyncAt = performance.now();
        const batch = this.unsynced;
        this.unsynced = [];
        const dirty = this.segments.filter((s) => s.dirty && s.fd !== undefined);
        for (const segment of dirty) {
          segment.dirty = false;
          segment.syncing = true;
        }
        try {
          await Promise.all(dirty.map((segment) => fdatasyncAsync(segment.fd as number)));
          if (this.newSegment) await this.syncDirectory();
        } catch (error) {
          this.options.log("warn", "usage spool sync failed; reporting the records anyway", {
            error: (error as Error).message,
          });
        }
        for (const segment of dirty) {
          segment.syncing = false;
          if (segment !== this.active) closeIfDone(segment);
        }
        this.options.onDurable(batch);
        this.dropEmptySegments();
      }
    } finally {
      this.commit = undefined;
    }
  }

  /** A new segment's directory entry must be durable too, or a machine crash could lose the whole file. */
  private async syncDirectory(): Promise<void> {
    this.newSegment = false;
    const dir = await open(this.options.dir, "r");
    try {
      await fsyncAsync(dir.fd);
    } finally {
      await dir.close();
    }
  }

  private dropEmptySegments(): void {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const segment = this.segments[i] as Segment;
      if (segment === this.active || segment.live > 0 || segment.dirty || segment.syncing) continue;
      closeFd(segment);
      this.segments.splice(i, 1);
      unlink(segment.path).catch((error: unknown) => {
        this.options.log("warn", "usage spool: cannot delete an acked segment", {
          path: segment.path,
          error: (error as Error).message,
        });
      });
    }
  }
}

/** A segment no longer written to keeps its fd only until its last sync. */
function closeIfDone(segment: Segment): void {
  if (!segment.dirty && !segment.syncing) closeFd(segment);
}

function closeFd(segment: Segment): void {
  if (segment.fd === undefined) return;
  closeSync(segment.fd);
  segment.fd = undefined;
}

interface LiveEntry extends ReplayedRecord {
  segment: Segment;
}

async function readSegments(dir: string) {
  const names = (await readdir(dir)).filter((name) => SEGMENT_NAME.test(name)).sort();
  const segments: Segment[] = [];
  const live = new Map<string, LiveEntry>();
  let damaged = 0;
  for (const name of names) {
    const path = join(dir, name);
    const text = await readFile(path, "utf8");
    const segment: Segment = {
      seq: Number(name.slice(0, 12)),
      path,
      fd: undefined,
      bytes: Buffer.byteLength(text),
      live: 0,
      dirty: false,
      syncing: false,
    };
    segments.push(segment);
    const lines = text.split("\n");
    // What follows the last newline is a line whose write never finished.
    if ((lines.pop() ?? "") !== "") damaged++;
    for (const line of lines) {
      const entry = parseSpoolLine(line);
      if (!entry) {
        damaged++;
      } else if (entry.kind === "record") {
        const { record, bytes } = entry;
        if (!live.has(record.requestId)) live.set(record.requestId, { record, bytes, segment });
      } else {
        for (const id of entry.requestIds) live.delete(id);
      }
    }
  }
  for (const { segment } of live.values()) segment.live++;
  return { segments, live, damaged };
}
