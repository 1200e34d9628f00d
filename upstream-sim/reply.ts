export const DEFAULT_REPLY = "Hello from upstream-sim.";
/** Bounds the memory one request can ask for. */
export const MAX_CHUNKS = 100_000;

/** Words with their leading whitespace, so a default stream has several deltas that join back exactly. */
export function splitWords(text: string): string[] {
  const pieces: string[] = text.match(/\s*\S+/g) ?? [];
  const joined = pieces.join("");
  // Trailing whitespace (or an all-blank text) is a piece of its own, so the pieces join back exactly.
  if (joined.length < text.length) pieces.push(text.slice(joined.length));
  return pieces.length > 0 ? pieces : [""];
}

/**
 * The pieces a stream sends. With an explicit chunk count the text is repeated once per chunk (a long
 * answer for slow-stream benchmarks); otherwise it is split into words.
 */
export function replyPieces(text: string, chunks: number | undefined): string[] {
  if (chunks === undefined) return splitWords(text);
  const count = Math.min(Math.max(1, chunks), MAX_CHUNKS);
  return Array.from({ length: count }, (_, i) => (i === 0 ? text : ` ${text}`));
}
