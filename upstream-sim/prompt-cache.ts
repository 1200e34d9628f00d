import { createHash, type Hash } from "node:crypto";
import { estimateTokens } from "./tokens.js";

/** One unit of a prompt in cache order (a tool, a system block, a message or content block). */
export interface PromptSegment {
  text: string;
  /** Anthropic `cache_control` on this unit. */
  breakpoint: boolean;
}

export interface CacheUse {
  creationTokens: number;
  readTokens: number;
}

const NO_CACHE: CacheUse = { creationTokens: 0, readTokens: 0 };
/** OpenAI and Gemini cache implicitly from 1024 prompt tokens on. */
export const IMPLICIT_MIN_TOKENS = 1024;
/** Bounds memory in long benchmark runs: an account's cache starts over past this many prefixes. */
const MAX_PREFIXES_PER_ACCOUNT = 20_000;

interface Boundary {
  digest: string;
  tokens: number;
  breakpoint: boolean;
}

function boundaries(model: string, segments: PromptSegment[]): Boundary[] {
  const hash: Hash = createHash("sha1").update(model);
  const out: Boundary[] = [];
  let chars = 0;
  for (const segment of segments) {
    hash.update(segment.text);
    hash.update("\u0000");
    chars += segment.text.length;
    out.push({ digest: hash.copy().digest("base64"), tokens: estimateTokens(chars), breakpoint: segment.breakpoint });
  }
  return out;
}

/**
 * A tiny per-account prompt cache. Explicit mode (Anthropic `cache_control`): the prefix up to each
 * breakpoint is written; a later request reads the longest written prefix found at any boundary before
 * its last breakpoint (the real API looks back over earlier blocks, so a moved breakpoint still hits).
 * Implicit mode (OpenAI, Gemini): every boundary of 1024+ tokens is remembered and the longest one seen
 * before is read; nothing is reported as written.
 */
export class PromptCache {
  private readonly prefixes = new Map<string, Set<string>>();

  explicit(account: string, model: string, segments: PromptSegment[]): CacheUse {
    const lastBreakpoint = segments.findLastIndex((s) => s.breakpoint);
    if (lastBreakpoint < 0) return NO_CACHE;
    const bounds = boundaries(model, segments.slice(0, lastBreakpoint + 1));
    const seen = this.seenBy(account);
    const readTokens = longestSeen(bounds, seen);
    for (const b of bounds) if (b.breakpoint) seen.add(b.digest);
    const written = (bounds[bounds.length - 1] as Boundary).tokens;
    return { creationTokens: Math.max(0, written - readTokens), readTokens };
  }

  implicit(account: string, model: string, segments: PromptSegment[]): CacheUse {
    const bounds = boundaries(model, segments).filter((b) => b.tokens >= IMPLICIT_MIN_TOKENS);
    if (bounds.length === 0) return NO_CACHE;
    const seen = this.seenBy(account);
    const readTokens = longestSeen(bounds, seen);
    for (const b of bounds) seen.add(b.digest);
    return { creationTokens: 0, readTokens };
  }

  clear(): void {
    this.prefixes.clear();
  }

  private seenBy(account: string): Set<string> {
    let seen = this.prefixes.get(account);
    if (!seen || seen.size > MAX_PREFIXES_PER_ACCOUNT) {
      seen = new Set();
      this.prefixes.set(account, seen);
    }
    return seen;
  }
}

function longestSeen(bounds: Boundary[], seen: Set<string>): number {
  for (let i = bounds.length - 1; i >= 0; i--) {
    const b = bounds[i] as Boundary;
    if (seen.has(b.digest)) return b.tokens;
  }
  return 0;
}
