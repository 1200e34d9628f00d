import { describe, expect, it } from "vitest";
import { valueForSchema } from "./json-schema-value.js";

describe("valueForSchema", () => {
  const cases: [string, unknown, unknown][] = [
    [
      "Gemini CLI router schema (upper-case types)",
      {
        type: "OBJECT",
        properties: {
          complexity_reasoning: { type: "STRING" },
          complexity_score: { type: "INTEGER" },
        },
        required: ["complexity_reasoning", "complexity_score"],
      },
      { complexity_reasoning: "Simulated reasoning from upstream-sim.", complexity_score: 1 },
    ],
    [
      "JSON Schema with bounds",
      {
        type: "object",
        properties: { score: { type: "integer", minimum: 5, maximum: 9 }, ratio: { type: "number", maximum: 0.5 } },
      },
      { score: 5, ratio: 0.5 },
    ],
    ["exclusive minimum", { type: "integer", exclusiveMinimum: 3 }, 4],
    ["enum", { type: "string", enum: ["flash", "pro"] }, "flash"],
    ["const", { const: 7 }, 7],
    ["anyOf takes the first", { anyOf: [{ type: "boolean" }, { type: "string" }] }, true],
    ["nullable type list", { type: ["null", "string"] }, "upstream-sim"],
    ["array with minItems", { type: "array", items: { type: "integer" }, minItems: 2 }, [1, 1]],
    ["array with maxItems 0", { type: "array", items: { type: "integer" }, maxItems: 0 }, []],
    ["string length bounds", { type: "string", minLength: 15, maxLength: 15 }, "upstream-simxxx"],
    ["implicit object", { properties: { a: { type: "null" } } }, { a: null }],
    ["not a schema", 42, "upstream-sim"],
  ];
  it.each(cases)("%s", (_name, schema, expected) => {
    expect(valueForSchema(schema)).toEqual(expected);
  });
});
