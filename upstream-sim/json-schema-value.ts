import { isObject, type JsonObject } from "./json.js";

/** The schema's type in lower case (Gemini's OpenAPI subset writes `OBJECT`, JSON Schema `object`). */
function typeOf(schema: JsonObject): string {
  const declared = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null" && t !== "NULL") : schema.type;
  if (typeof declared === "string") return declared.toLowerCase();
  if (isObject(schema.properties)) return "object";
  if (schema.items !== undefined) return "array";
  return "string";
}

function numberIn(schema: JsonObject, integer: boolean): number {
  const step = integer ? 1 : 0.5;
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  const exclusiveMin = num(schema.exclusiveMinimum);
  const exclusiveMax = num(schema.exclusiveMaximum);
  const low = num(schema.minimum) ?? (exclusiveMin === undefined ? -Infinity : exclusiveMin + step);
  const high = num(schema.maximum) ?? (exclusiveMax === undefined ? Infinity : exclusiveMax - step);
  // 1 is the smallest score a router accepts and a plausible count, size or index.
  const value = Math.min(Math.max(1, low), high);
  return integer ? Math.ceil(value) : value;
}

function stringFor(schema: JsonObject, name: string): string {
  const base = /reason|explanation|description|summary/i.test(name)
    ? "Simulated reasoning from upstream-sim."
    : "upstream-sim";
  const min = typeof schema.minLength === "number" ? schema.minLength : 0;
  const max = typeof schema.maxLength === "number" ? schema.maxLength : Infinity;
  return base.padEnd(min, "x").slice(0, max);
}

/**
 * A small value that satisfies a JSON Schema or Gemini schema: enums take their first value, numbers
 * the value nearest 1 within their bounds, arrays their minimum length (at least one item), objects all
 * their properties. Enough for clients that parse structured output, such as Gemini CLI's router.
 */
export function valueForSchema(schema: unknown, name = ""): unknown {
  if (!isObject(schema)) return "upstream-sim";
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const variants = schema.anyOf ?? schema.oneOf ?? schema.allOf;
  if (Array.isArray(variants) && variants.length > 0) return valueForSchema(variants[0], name);
  switch (typeOf(schema)) {
    case "object": {
      const properties = isObject(schema.properties) ? schema.properties : {};
      return Object.fromEntries(Object.entries(properties).map(([key, sub]) => [key, valueForSchema(sub, key)]));
    }
    case "array": {
      const min = typeof schema.minItems === "number" ? schema.minItems : 1;
      const max = typeof schema.maxItems === "number" ? schema.maxItems : Infinity;
      const count = Math.min(Math.max(min, 1), max);
      return Array.from({ length: count }, () => valueForSchema(schema.items, name));
    }
    case "integer":
      return numberIn(schema, true);
    case "number":
      return numberIn(schema, false);
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return stringFor(schema, name);
  }
}
