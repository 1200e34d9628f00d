import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { BASE_DATABASE_URL } from "../../test/support/postgres.js";
import { type ArrayElement, arrayLiteral } from "./pg-array.js";

describe("arrayLiteral", () => {
  it.each<[string, ArrayElement[], string]>([
    ["no elements", [], "{}"],
    ["plain text", ["a", "b"], '{"a","b"}'],
    ["empty text and the word NULL stay text", ["", "NULL"], '{"","NULL"}'],
    ["quotes and backslashes escaped", ['say "hi"', "a\\b"], '{"say \\"hi\\"","a\\\\b"}'],
    ["null", ["a", null], '{"a",NULL}'],
    ["numbers and bigints bare", [1, -2.5, 9007199254740993n], "{1,-2.5,9007199254740993}"],
    ["booleans", [true, false], "{t,f}"],
  ])("%s", (_name, values, literal) => {
    expect(arrayLiteral(values)).toBe(literal);
  });
});

// What PostgreSQL reads back is what went in, for the text a usage log may carry.
describe("arrayLiteral read by PostgreSQL", () => {
  const sql = postgres(BASE_DATABASE_URL, { max: 1, onnotice: () => {} });
  afterAll(() => sql.end());

  it("returns every text as written", async () => {
    const texts = [
      "",
      "NULL",
      "null",
      " spaced ",
      "a,b",
      "{braces}",
      'say "hi"',
      "back\\slash",
      '\\"',
      "tab\tnew\nline",
      "é 中 🙂",
      "'quote'",
    ];
    const [row] = await sql<{ back: string[] }[]>`select ${arrayLiteral(texts)}::text[] as back`;
    expect(row?.back).toEqual(texts);
  });

  it("reads nulls, bigints, numerics, booleans and timestamps in their types", async () => {
    const at = new Date("2026-11-28T10:00:00.123Z");
    const [row] = await sql<{ n: string; null: boolean; b: boolean[]; d: string[]; t: Date[]; nulls: number }[]>`
      select (${arrayLiteral([9007199254740993n, null])}::bigint[])[1]::text as n,
             (${arrayLiteral([9007199254740993n, null])}::bigint[])[2] is null as null,
             ${arrayLiteral([true, false])}::boolean[] as b,
             ${arrayLiteral(["0.000000000000000001", "12.5"])}::numeric[]::text[] as d,
             ${arrayLiteral([at.toISOString()])}::timestamptz[] as t,
             array_position(${arrayLiteral([1, null])}::int[], null) as nulls`;
    expect(row?.n).toBe("9007199254740993");
    expect(row?.null).toBe(true);
    expect(row?.b).toEqual([true, false]);
    expect(row?.d).toEqual(["0.000000000000000001", "12.5"]);
    expect(row?.t).toEqual([at]);
    expect(row?.nulls).toBe(2);
  });
});
