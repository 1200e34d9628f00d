import { readFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { Agent, type Dispatcher } from "undici";
import { SENT_AT } from "../upstream-sim/send.js";
import { summarize } from "./stats.js";

// The slow-stream load generator, a process of its own: opens N streams over a ramp, keeps them all
// open while the upstream trickles chunks, and records when each chunk arrives. Prints one JSON line.
// Usage: node --import ./bin/ts-loader.js bench/stream-client.ts SPEC.json

export interface StreamClientSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  streams: number;
  rampMs: number;
  /** The upstream's pause between chunks: a gap longer than this is forwarding delay (or jitter). */
  chunkDelayMs: number;
  timeoutMs: number;
  completeMarker: string;
}

export interface StreamClientResult {
  started: number;
  completed: number;
  failed: number;
  firstErrors: string[];
  peakOpen: number;
  /** Request sent to first body byte, ms. */
  firstByteMs: ReturnType<typeof summarize>;
  /** Each gap between consecutive chunks minus the upstream's pause, ms. */
  chunkGapExcessMs: ReturnType<typeof summarize>;
  /**
   * The same for gaps that began once every stream had its first byte: forwarding delay with all the
   * streams open, apart from the queueing while they are being opened.
   */
  chunkGapExcessAllOpenMs: ReturnType<typeof summarize>;
  /**
   * Each stamped chunk's arrival minus its send time at the upstream (both on the machine's monotonic
   * clock), ms: over direct, the time the proxy held it. Unlike a gap, the upstream's own timer
   * lateness is not in it.
   */
  chunkDelayMs: ReturnType<typeof summarize>;
  /** The same for chunks sent once every stream had its first byte. */
  chunkDelayAllOpenMs: ReturnType<typeof summarize>;
  chunks: number;
  wallMs: number;
}

class Stream implements Dispatcher.DispatchHandler {
  readonly startedAt = performance.now();
  readonly arrivals: number[] = [];
  /** Stamped chunks: when each was sent, on this process's performance.now() clock, and how late it came. */
  readonly stamped: Array<{ sentAt: number; delayMs: number }> = [];
  status = 0;
  private tail = "";
  private unreadStamp = "";

  constructor(
    private readonly marker: string,
    private readonly done: (stream: Stream, error?: Error) => void,
  ) {}

  // undici tells the callback-style handler API from the legacy one by this method.
  onRequestStart(): void {}

  onResponseStart(_c: Dispatcher.DispatchController, status: number, _h: IncomingHttpHeaders): void {
    this.status = status;
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    const now = performance.now();
    const clock = process.hrtime.bigint();
    this.arrivals.push(now);
    const text = chunk.toString("latin1");
    this.tail = (this.tail + text).slice(-256);
    const { sent, rest } = readStamps(this.unreadStamp + text);
    this.unreadStamp = rest;
    for (const stamp of sent) {
      const delayMs = Number(clock - stamp) / 1e6;
      this.stamped.push({ sentAt: now - delayMs, delayMs });
    }
  }

  onResponseEnd(): void {
    const ok = this.status === 200 && this.tail.includes(this.marker);
    this.done(this, ok ? undefined : new Error(`status ${this.status}, complete=${this.tail.includes(this.marker)}`));
  }

  onResponseError(_c: Dispatcher.DispatchController, error: Error): void {
    this.done(this, error);
  }
}

export function runStreams(spec: StreamClientSpec): Promise<StreamClientResult> {
  const agent = new Agent({ headersTimeout: spec.timeoutMs, bodyTimeout: spec.timeoutMs });
  const url = new URL(spec.url);
  const finished: Stream[] = [];
  const errors: string[] = [];
  let open = 0;
  let peakOpen = 0;
  let started = 0;
  const wallStart = performance.now();
  return new Promise((resolve) => {
    const done = (stream: Stream, error?: Error) => {
      open--;
      if (error) errors.push(error.message);
      else finished.push(stream);
      if (finished.length + errors.length === spec.streams) {
        void agent.close();
        resolve(summarise(spec, finished, errors, peakOpen, performance.now() - wallStart));
      }
    };
    const tickMs = 10;
    const perTick = Math.max(1, Math.ceil(spec.streams / Math.max(1, spec.rampMs / tickMs)));
    const launch = () => {
      for (let i = 0; i < perTick && started < spec.streams; i++, started++) {
        open++;
        peakOpen = Math.max(peakOpen, open);
        agent.dispatch(
          { origin: url.origin, path: url.pathname, method: "POST", headers: spec.headers, body: spec.body },
          new Stream(spec.completeMarker, done),
        );
      }
      if (started < spec.streams) setTimeout(launch, tickMs);
    };
    launch();
  });
}

/** The send times stamped in `text`, and what to keep for the next read (a stamp cut in two). */
export function readStamps(text: string): { sent: bigint[]; rest: string } {
  const sent: bigint[] = [];
  let from = 0;
  for (;;) {
    const at = text.indexOf(SENT_AT, from);
    if (at === -1) return { sent, rest: cutStampStart(text, from) };
    const end = text.indexOf("\n", at);
    if (end === -1) return { sent, rest: text.slice(at) };
    sent.push(BigInt(text.slice(at + SENT_AT.length, end)));
    from = end + 1;
  }
}

/** The end of `text` (from `from` on) that could be the start of a stamp cut by the read. */
function cutStampStart(text: string, from: number): string {
  for (let length = Math.min(SENT_AT.length - 1, text.length - from); length > 0; length--) {
    if (text.endsWith(SENT_AT.slice(0, length))) return text.slice(-length);
  }
  return "";
}

/** What the streams saw: `finished` are the completed ones, with when they started and each chunk's arrival. */
export function summarise(
  spec: Pick<StreamClientSpec, "streams" | "chunkDelayMs">,
  finished: ReadonlyArray<{
    startedAt: number;
    arrivals: readonly number[];
    stamped: ReadonlyArray<{ sentAt: number; delayMs: number }>;
  }>,
  errors: string[],
  peakOpen: number,
  wallMs: number,
): StreamClientResult {
  const firstBytes: number[] = [];
  const excess: number[] = [];
  const allOpen: number[] = [];
  const delays: number[] = [];
  const delaysAllOpen: number[] = [];
  const allOpenAt = Math.max(...finished.map((stream) => stream.arrivals[0] ?? Number.POSITIVE_INFINITY));
  for (const stream of finished) {
    const [first] = stream.arrivals;
    if (first === undefined) continue;
    firstBytes.push(first - stream.startedAt);
    for (let i = 1; i < stream.arrivals.length; i++) {
      const previous = stream.arrivals[i - 1] as number;
      const gap = (stream.arrivals[i] as number) - previous - spec.chunkDelayMs;
      excess.push(gap);
      if (previous >= allOpenAt) allOpen.push(gap);
    }
    for (const { sentAt, delayMs } of stream.stamped) {
      delays.push(delayMs);
      if (sentAt >= allOpenAt) delaysAllOpen.push(delayMs);
    }
  }
  return {
    started: spec.streams,
    completed: finished.length,
    failed: errors.length,
    firstErrors: [...new Set(errors)].slice(0, 3),
    peakOpen,
    firstByteMs: summarize(firstBytes),
    chunkGapExcessMs: summarize(excess),
    chunkGapExcessAllOpenMs: summarize(allOpen),
    chunkDelayMs: summarize(delays),
    chunkDelayAllOpenMs: summarize(delaysAllOpen),
    chunks: excess.length,
    wallMs,
  };
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const spec = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as StreamClientSpec;
  const result = await runStreams(spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
