import { describe, expect, it } from "vitest";
import { en } from "./en.js";
import { interpolate } from "./interpolate.js";
import { zh } from "./zh.js";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("catalogues", () => {
  it.each(Object.keys(en) as (keyof typeof en)[])("%s has the same placeholders in Chinese", (key) => {
    expect(zh[key].trim()).not.toBe("");
    expect(placeholders(zh[key])).toEqual(placeholders(en[key]));
  });
});

describe("interpolate", () => {
  it.each([
    ["+{days} days", { days: 30 }, "+30 days"],
    ["{a} and {b}", { a: "x", b: 2 }, "x and 2"],
    ["keeps {unknown}", {}, "keeps {unknown}"],
    ["no placeholders", { a: 1 }, "no placeholders"],
  ])("%j", (template, params, expected) => {
    expect(interpolate(template, params)).toBe(expected);
  });
});
