import type { StreamObserver } from "./protocol.js";

// Test support for stream observers: a recorded stream fed as the network may cut it.

/** Chunk sizes every observer test replays its streams with: whole, byte by byte (mid-line, mid-UTF-8), and uneven cuts. */
export const CHUNK_SIZES = [Number.POSITIVE_INFINITY, 1, 3, 17, 64] as const;

export function pushInChunks(observer: StreamObserver, text: string, size: number): void {
  const bytes = Buffer.from(text, "utf8");
  const step = Number.isFinite(size) ? size : bytes.length;
  for (let at = 0; at < bytes.length; at += step) observer.push(bytes.subarray(at, at + step));
}

/** What an observer concluded, in one comparable value. */
export function observed(observer: StreamObserver) {
  return {
    usage: observer.usage,
    firstTokenAt: observer.firstTokenAt,
    completed: observer.completed,
    streamError: observer.streamError,
    events: observer.events,
    continuation: observer.continuation,
  };
}
