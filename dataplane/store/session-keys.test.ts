import { describe, expect, it } from "vitest";
import type { SessionIdentity } from "../routing/session-identity.js";
import { sessionKeys } from "./session-keys.js";

const rows: Array<{ name: string; identity: SessionIdentity; expect: string[] }> = [
  {
    name: "an explicit id is one key",
    identity: { kind: "explicit", id: "9f1c-session", source: "x-claude-code-session-id" },
    expect: ["id:9f1c-session"],
  },
  {
    name: "a digest chain, longest (newest turn) first",
    identity: { kind: "digest", chain: ["00000000000000a1", "00000000000000b2", "00000000000000c3"] },
    expect: ["h:00000000000000c3", "h:00000000000000b2", "h:00000000000000a1"],
  },
  {
    name: "a conversation without turns is its context + system element alone",
    identity: { kind: "digest", chain: ["00000000000000a1"] },
    expect: ["h:00000000000000a1"],
  },
  {
    name: "an explicit id that looks like a digest stays in its own namespace",
    identity: { kind: "explicit", id: "00000000000000a1", source: "prompt_cache_key" },
    expect: ["id:00000000000000a1"],
  },
];

describe("sessionKeys", () => {
  it.each(rows)("$name", (row) => {
    expect(sessionKeys(row.identity)).toEqual(row.expect);
  });
});
