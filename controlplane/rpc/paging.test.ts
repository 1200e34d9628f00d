import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { decodePageToken, encodePageToken, pageSize, toPage } from "./paging.js";

describe("paging", () => {
  it.each([
    [0, 50],
    [1, 1],
    [500, 500],
    [10_000, 500],
  ])("page_size %i -> %i", (requested, expected) => {
    expect(pageSize(requested)).toBe(expected);
  });

  it("refuses a negative page_size and a malformed token, naming the field", () => {
    for (const bad of [
      () => pageSize(-1),
      () => decodePageToken("%%%", 1),
      () => decodePageToken(encodePageToken(["a"]), 2),
    ]) {
      const error = (() => {
        try {
          bad();
        } catch (e) {
          return ConnectError.from(e);
        }
        return undefined;
      })();
      expect(error?.code).toBe(Code.InvalidArgument);
    }
  });

  it("round-trips the key of the last row when more rows exist", () => {
    const page = toPage(["a", "b", "c"], 2, (r) => [r]);
    expect(page.items).toEqual(["a", "b"]);
    expect(decodePageToken(page.nextPageToken, 1)).toEqual(["b"]);
    expect(toPage(["a", "b"], 2, (r) => [r]).nextPageToken).toBe("");
    expect(decodePageToken("", 1)).toBeUndefined();
  });
});
