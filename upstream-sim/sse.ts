/** A response body sent as a sequence of frames: `head`, then one frame per text piece, then `tail`. */
export interface StreamFrames {
  contentType: string;
  head: string[];
  deltas: string[];
  tail: string[];
}

export const SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8";

/** A named SSE event, as Anthropic and the OpenAI Responses API send them. */
export function namedEvent(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A data-only SSE event, as OpenAI chat completions send them. */
export function dataEvent(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

export function allFrames(frames: StreamFrames): string[] {
  return [...frames.head, ...frames.deltas, ...frames.tail];
}
