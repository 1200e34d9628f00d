import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonOrUndefined, parseJsonBody } from "./json-body.js";

// parseJsonBody must be JSON.parse(body.toString("utf8")) exactly: the same value, or the same error.
function outcome(parse: (body: Buffer) => unknown, body: Buffer): { value: unknown } | { error: string } {
  try {
    return { value: parse(body) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}
const plain = (body: Buffer) => outcome((b) => JSON.parse(b.toString("utf8")), body);
const fast = (body: Buffer) => outcome(parseJsonBody, body);

// Leading whitespace keeps the non-ASCII share under the escaping budget (JSON ignores it, and errors
// shift alike on both paths), so the escaping path is what runs.
const padded = (body: Buffer) => Buffer.concat([Buffer.alloc(body.length * 16, " "), body]);

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));

describe("parseJsonBody", () => {
  it.each<[string, Buffer]>([
    ["ASCII", bytes('{"model":"claude","n":[1,2.5,null,true]}')],
    ["Latin-1 characters", bytes('{"s":"café"}')],
    ["an em dash and CJK", bytes('{"s":"a — b 中文","t":["—"]}')],
    ["an emoji (surrogate pair)", bytes('{"s":"🙂 ok"}')],
    ["non-ASCII in a key", bytes('{"—":1}')],
    ["U+2028 raw in a string", bytes('{"s":"a\u2028b"}')],
    ["an escaped backslash then an em dash", bytes('{"s":"\\\\—"}')],
    ["a backslash escaping an em dash (invalid)", bytes('{"s":"\\—"}')],
    ["an em dash outside a string (invalid)", bytes('{"s":1}—')],
    ["a byte-order mark (invalid)", bytes([0xef, 0xbb, 0xbf], '{"s":1}')],
    ["invalid UTF-8 in a string", bytes('{"s":"', [0xff, 0xc3], '"}')],
    ["a lone continuation byte", bytes('{"s":"a', [0x80], 'b"}')],
    ["a sequence cut by a quote", bytes('{"s":"', [0xe2, 0x80], '"}')],
    ["malformed JSON after an em dash", bytes('{"s":"—",}')],
    ["empty", bytes("")],
    ["mostly Chinese (past the escaping budget)", bytes(`{"s":"${"你好世界".repeat(50)}"}`)],
    // Runs are found a 1 KB block at a time.
    ["an em dash across a block boundary", bytes(`{"s":"${"a".repeat(1017)}—b"}`)],
    [
      "runs in many blocks, and after long ASCII stretches",
      bytes(`{"s":"${"abc—é".repeat(20)}${"x".repeat(3000)}${"🙂z".repeat(30)}","t":"${"y".repeat(1500)}—"}`),
    ],
  ])("%s", (_name, body) => {
    expect(fast(body)).toEqual(plain(body));
    expect(fast(padded(body))).toEqual(plain(padded(body)));
  });

  it("parses any JSON value the way JSON.parse does", () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: "binary" }), (value) => {
        const body = padded(Buffer.from(JSON.stringify(value), "utf8"));
        expect(fast(body)).toEqual(plain(body));
      }),
      { numRuns: 500 },
    );
  });

  it("gives JSON.parse's value or error for any bytes", () => {
    const piece = fc.oneof(
      fc.constantFrom('{"s":"', '"}', "\\", '"', ",", "[", "]", "1", "—", "🙂", "é").map((text) => Buffer.from(text)),
      fc.uint8Array({ minLength: 1, maxLength: 3 }).map((raw) => Buffer.from(raw)),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const body = padded(Buffer.concat(parts));
        expect(fast(body)).toEqual(plain(body));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("jsonOrUndefined", () => {
  it.each<[string, Buffer, unknown]>([
    ["a JSON answer", bytes('{"usage":{"output_tokens":3},"s":"—"}'), { usage: { output_tokens: 3 }, s: "—" }],
    ["a plain-text error page", bytes("upstream connect error"), undefined],
    ["a body cut short", bytes('{"usage":{"output_'), undefined],
    ["empty", bytes(""), undefined],
  ])("%s", (_name, body, expected) => {
    expect(jsonOrUndefined(body)).toEqual(expected);
  });
});
