import { findInvalidIpEntry } from "../../common/ip-rules.js";
import { type Atto, parseDecimal } from "../../common/money.js";
import { invalidArgument } from "./errors.js";

// Request checks shared by the admin services; each throws invalid_argument naming the field.

export function requireText(field: string, value: string): string {
  const text = value.trim();
  if (text === "") throw invalidArgument(field, "is required");
  return text;
}

export function nonNegativeDecimal(field: string, text: string, emptyAs: string): Atto {
  const value = parseDecimal(text.trim() === "" ? emptyAs : text);
  if (value === undefined || value < 0n) throw invalidArgument(field, "must be a non-negative decimal");
  return value;
}

export function signedDecimal(field: string, text: string): Atto {
  const value = parseDecimal(text);
  if (value === undefined) throw invalidArgument(field, "must be a decimal");
  return value;
}

export function nonNegativeInt(field: string, value: number): number {
  if (value < 0) throw invalidArgument(field, "must not be negative");
  return value;
}

export function ipList(field: string, entries: readonly string[]): string[] {
  const invalid = findInvalidIpEntry(entries);
  if (invalid) throw invalidArgument(`${field}[${invalid.index}]`, invalid.error);
  return entries.map((e) => e.trim());
}
