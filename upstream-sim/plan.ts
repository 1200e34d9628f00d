import type { OutgoingHttpHeaders } from "node:http";
import { allFrames, type StreamFrames } from "./sse.js";

/** Everything needed to send one response; fault steps are transformations of it. */
export interface ResponsePlan {
  status: number;
  headers: OutgoingHttpHeaders;
  frames: string[];
  /** Frames in [delayedFrom, delayedTo) wait `chunkDelayMs` before they are sent (the text pieces). */
  delayedFrom: number;
  delayedTo: number;
  chunkDelayMs: number;
  /** `cut` destroys the socket after the last frame instead of ending the response. */
  ending: "end" | "cut";
  stream: boolean;
}

export function jsonPlan(status: number, body: unknown, headers: OutgoingHttpHeaders = {}): ResponsePlan {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return {
    status,
    headers: {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
      ...headers,
    },
    frames: [text],
    delayedFrom: 0,
    delayedTo: 0,
    chunkDelayMs: 0,
    ending: "end",
    stream: false,
  };
}

export function streamPlan(
  frames: StreamFrames,
  chunkDelayMs: number,
  headers: OutgoingHttpHeaders = {},
): ResponsePlan {
  return {
    status: 200,
    headers: { "content-type": frames.contentType, "cache-control": "no-cache", ...headers },
    frames: allFrames(frames),
    delayedFrom: frames.head.length,
    delayedTo: frames.head.length + frames.deltas.length,
    chunkDelayMs,
    ending: "end",
    stream: true,
  };
}

/** A 200 with headers and no body at all (a stream with no events). */
export function emptyPlan(plan: ResponsePlan): ResponsePlan {
  const headers = plan.stream ? plan.headers : { ...plan.headers, "content-length": 0 };
  return { ...plan, status: 200, headers, frames: [], ending: "end" };
}

/** Sends the first `afterEvents` frames of a stream (half of a JSON body), then destroys the socket. */
export function cutPlan(plan: ResponsePlan, afterEvents: number): ResponsePlan {
  if (!plan.stream) {
    const body = plan.frames.join("");
    return { ...plan, frames: [body.slice(0, Math.floor(body.length / 2))], ending: "cut" };
  }
  return { ...plan, frames: plan.frames.slice(0, afterEvents), ending: "cut" };
}

/** Replaces everything after the first `afterEvents` frames of a stream by one error frame. */
export function streamErrorPlan(plan: ResponsePlan, afterEvents: number, errorFrame: string): ResponsePlan {
  return { ...plan, frames: [...plan.frames.slice(0, afterEvents), errorFrame], ending: "end" };
}
