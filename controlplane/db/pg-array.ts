// PostgreSQL array literals ('{"a","b",NULL}'), to pass one column of many rows as one parameter.
// unnest() of typed arrays reads a batch of usage logs in half the time json_to_recordset takes over
// the same rows as JSON (it looks up every field of every object by name).

export type ArrayElement = string | number | bigint | boolean | null;

const ESCAPED = /[\\"]/g;

function element(value: ArrayElement): string {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "t" : "f";
  if (typeof value !== "string") return String(value);
  // Quoted always: an empty string, NULL, spaces, commas and braces are then all plain text. Most
  // texts (ids, models) hold neither a quote nor a backslash: two native scans are cheaper than the
  // regex replace, which ingest would otherwise run on every text of every usage log.
  const plain = !value.includes('"') && !value.includes("\\");
  return `"${plain ? value : value.replace(ESCAPED, "\\$&")}"`;
}

/** The text form of a one-dimensional array; cast it to the element type in SQL (`$1::text[]`). */
export function arrayLiteral(values: readonly ArrayElement[]): string {
  let literal = "{";
  for (let i = 0; i < values.length; i++) literal += (i === 0 ? "" : ",") + element(values[i] as ArrayElement);
  return `${literal}}`;
}
