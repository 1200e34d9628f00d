import { describe, expect, it } from "vitest";
import { changeNotice, parseChangeNotice } from "./versions.js";

describe("change notices (the NOTIFY payload of a version)", () => {
  it.each([
    ["a config change", changeNotice({ version: 42, configVersion: 42 }), { version: 42, configVersion: 42 }],
    ["a usage stamp", changeNotice({ version: 43, configVersion: 40 }), { version: 43, configVersion: 40 }],
    ["a usage stamp from an earlier release", "43 usage", { version: 43, configVersion: undefined }],
    ["a usage stamp with a broken config version", "43 usage x", { version: 43, configVersion: undefined }],
    ["no payload (a reconnected listener)", undefined, { version: undefined, configVersion: undefined }],
    ["something not ours", "hello", { version: undefined, configVersion: undefined }],
    ["a version that is not positive", "0 usage 0", { version: undefined, configVersion: undefined }],
  ])("%s", (_name, payload, expected) => {
    expect(parseChangeNotice(payload)).toEqual(expected);
  });

  it("keeps the parts earlier releases read: a config change's bare number, a stamp's first two words", () => {
    expect(changeNotice({ version: 42, configVersion: 42 })).toBe("42");
    expect(changeNotice({ version: 43, configVersion: 40 })).toMatch(/^43 usage /);
  });
});
