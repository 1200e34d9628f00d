import { describe, expect, it } from "vitest";
import { IMPLICIT_MIN_TOKENS, PromptCache, type PromptSegment } from "./prompt-cache.js";

const text = (tokens: number) => "x".repeat(tokens * 4);
const seg = (tokens: number, breakpoint = false, tag = ""): PromptSegment => ({
  text: tag + text(tokens).slice(tag.length),
  breakpoint,
});

describe("PromptCache explicit (cache_control)", () => {
  it("writes on first use and reads afterwards", () => {
    const cache = new PromptCache();
    const prompt = [seg(100, true, "sys"), seg(10, false, "q1")];
    expect(cache.explicit("a", "m", prompt)).toEqual({ creationTokens: 100, readTokens: 0 });
    expect(cache.explicit("a", "m", prompt)).toEqual({ creationTokens: 0, readTokens: 100 });
  });

  it("keeps accounts and models apart", () => {
    const cache = new PromptCache();
    const prompt = [seg(100, true, "sys")];
    cache.explicit("a", "m", prompt);
    expect(cache.explicit("b", "m", prompt)).toEqual({ creationTokens: 100, readTokens: 0 });
    expect(cache.explicit("a", "other", prompt)).toEqual({ creationTokens: 100, readTokens: 0 });
  });

  it("reads the previous turn's prefix when the breakpoint moves", () => {
    const cache = new PromptCache();
    const system = seg(100, true, "sys");
    cache.explicit("a", "m", [system, seg(20, true, "u1")]);
    // Turn two: the old message lost its marker, a new one has it.
    const turnTwo = [system, seg(20, false, "u1"), seg(10, false, "a1"), seg(10, true, "u2")];
    expect(cache.explicit("a", "m", turnTwo)).toEqual({ creationTokens: 20, readTokens: 120 });
  });

  it("reports nothing without a breakpoint", () => {
    expect(new PromptCache().explicit("a", "m", [seg(5000)])).toEqual({ creationTokens: 0, readTokens: 0 });
  });

  it("forgets everything on clear", () => {
    const cache = new PromptCache();
    cache.explicit("a", "m", [seg(100, true)]);
    cache.clear();
    expect(cache.explicit("a", "m", [seg(100, true)])).toEqual({ creationTokens: 100, readTokens: 0 });
  });
});

describe("PromptCache implicit (OpenAI, Gemini)", () => {
  it("reads a long prefix seen before, never reporting writes", () => {
    const cache = new PromptCache();
    const history = [seg(IMPLICIT_MIN_TOKENS, false, "sys"), seg(10, false, "u1")];
    expect(cache.implicit("a", "m", history)).toEqual({ creationTokens: 0, readTokens: 0 });
    const next = [...history, seg(10, false, "a1"), seg(10, false, "u2")];
    expect(cache.implicit("a", "m", next)).toEqual({ creationTokens: 0, readTokens: IMPLICIT_MIN_TOKENS + 10 });
  });

  it("ignores short prompts", () => {
    const cache = new PromptCache();
    const prompt = [seg(IMPLICIT_MIN_TOKENS - 1)];
    cache.implicit("a", "m", prompt);
    expect(cache.implicit("a", "m", prompt)).toEqual({ creationTokens: 0, readTokens: 0 });
  });
});
