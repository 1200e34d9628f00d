import { describe, expect, it } from "vitest";
import { initialLanguage, rememberLanguage } from "./language.js";

function memoryStorage() {
  const items = new Map<string, string>();
  return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v) };
}

describe("initialLanguage", () => {
  it.each([
    [undefined, ["en-US"], "en"],
    [undefined, ["zh-CN", "en"], "zh"],
    [undefined, ["de", "zh-TW"], "zh"],
    [undefined, [], "en"],
    ["en", ["zh-CN"], "en"],
    ["zh", ["en-US"], "zh"],
    ["fr", ["en-US"], "en"],
  ])("saved %s, browser %j -> %s", (saved, browser, expected) => {
    const storage = memoryStorage();
    if (saved) storage.setItem("tollgate.language", saved);
    expect(initialLanguage(storage, browser)).toBe(expected);
  });

  it("remembers a choice", () => {
    const storage = memoryStorage();
    rememberLanguage(storage, "zh");
    expect(initialLanguage(storage, ["en"])).toBe("zh");
  });
});
