import { invalidArgument } from "./errors.js";

// List paging (DESIGN §3): keyset paging behind an opaque token holding the sort key of the last row.

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export function pageSize(requested: number): number {
  if (requested < 0) throw invalidArgument("page_size", "must not be negative");
  if (requested === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(requested, MAX_PAGE_SIZE);
}

export function encodePageToken(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

/** The sort key a token holds, checked to have `parts` strings; undefined for the first page. */
export function decodePageToken(token: string, parts: number): string[] | undefined {
  if (token === "") return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== parts || !key.every((k) => typeof k === "string")) {
    throw invalidArgument("page_token", "malformed");
  }
  return key;
}

/** Rows were fetched with limit + 1: the extra row only says another page exists. */
export function toPage<T>(
  rows: T[],
  limit: number,
  keyOf: (row: T) => string[],
): { items: T[]; nextPageToken: string } {
  if (rows.length <= limit) return { items: rows, nextPageToken: "" };
  const items = rows.slice(0, limit);
  return { items, nextPageToken: encodePageToken(keyOf(items[items.length - 1] as T)) };
}
