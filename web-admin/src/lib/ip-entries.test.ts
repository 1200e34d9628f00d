import { describe, expect, it } from "vitest";
import { readIpEntries } from "./ip-entries.js";

describe("readIpEntries", () => {
  it.each([
    ["", [], []],
    ["203.0.113.7\n10.0.0.0/8\n2001:db8::/32\n::1", ["203.0.113.7", "10.0.0.0/8", "2001:db8::/32", "::1"], []],
    ["  10.0.0.1  \n\n\n192.168.0.0/16\n", ["10.0.0.1", "192.168.0.0/16"], []],
    ["10.0.0.1\n10.0.0.0/33", ["10.0.0.1", "10.0.0.0/33"], [{ index: 1, line: 2 }]],
    [
      "\nnot-an-ip\n::/129\n1.2.3",
      ["not-an-ip", "::/129", "1.2.3"],
      [
        { index: 0, line: 2 },
        { index: 1, line: 3 },
        { index: 2, line: 4 },
      ],
    ],
  ])("%j", (text, entries, errors) => {
    const read = readIpEntries(text);
    expect(read.entries).toEqual(entries);
    expect(read.errors.map(({ index, line }) => ({ index, line }))).toEqual(errors);
    for (const e of read.errors) expect(e.error).toMatch(/IPv4|prefix length/);
  });
});
