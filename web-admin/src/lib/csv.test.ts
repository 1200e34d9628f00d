import { describe, expect, it } from "vitest";
import { toCsv } from "./csv.js";

describe("toCsv", () => {
  it.each([
    [[], ""],
    [[["a", "b"]], "a,b\r\n"],
    [
      [
        ["a,b", 'say "hi"'],
        ["line\nbreak", ""],
      ],
      '"a,b","say ""hi"""\r\n"line\nbreak",\r\n',
    ],
    [[["=HYPERLINK(1)", "+1", "@x", "-3", "-0.25", "-x"]], "'=HYPERLINK(1),'+1,'@x,-3,-0.25,'-x\r\n"],
    [[["curl/8.0", "claude-cli/2.1.0 (external, cli)"]], 'curl/8.0,"claude-cli/2.1.0 (external, cli)"\r\n'],
  ])("%#", (rows, expected) => {
    expect(toCsv(rows)).toBe(expected);
  });
});
