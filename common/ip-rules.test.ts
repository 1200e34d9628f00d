import { describe, expect, it } from "vitest";
import { compileIpRules, decideIp, findInvalidIpEntry, parseIpRule } from "./ip-rules.js";

describe("parseIpRule", () => {
  it.each(["203.0.113.7", "10.0.0.0/8", "0.0.0.0/0", "192.168.1.1/32", "::1", "2001:db8::/32", "::/0", "fe80::1/128"])(
    "accepts %s",
    (entry) => {
      expect(parseIpRule(entry).ok).toBe(true);
    },
  );

  it.each([
    "",
    "1.2.3",
    "256.1.1.1",
    "01.2.3.4",
    "0x7f.0.0.1",
    "10.0.0.0/33",
    "10.0.0.0/-1",
    "10.0.0.0/",
    "10.0.0.0/8/8",
    "2001:db8::/129",
    "2001:db8:::1",
    "example.com",
    "1.2.3.4 5",
  ])("refuses %j", (entry) => {
    expect(parseIpRule(entry).ok).toBe(false);
  });
});

describe("findInvalidIpEntry", () => {
  it("names the first bad entry", () => {
    expect(findInvalidIpEntry(["10.0.0.0/8", "10.0.0.0/99", "bad"])).toEqual({
      index: 1,
      error: expect.stringContaining("10.0.0.0/99"),
    });
    expect(findInvalidIpEntry(["10.0.0.0/8", "::1"])).toBeUndefined();
  });
});

describe("decideIp", () => {
  const table: Array<[string, string[], string[], string]> = [
    ["198.51.100.1", [], [], "allowed"],
    ["198.51.100.1", ["198.51.100.0/24"], [], "allowed"],
    ["198.51.101.1", ["198.51.100.0/24"], [], "not_whitelisted"],
    ["198.51.100.1", [], ["198.51.100.1"], "blacklisted"],
    // blacklist wins over a whitelist that also matches
    ["198.51.100.1", ["198.51.100.0/24"], ["198.51.100.1/32"], "blacklisted"],
    ["198.51.100.2", ["198.51.100.0/24"], ["198.51.100.1/32"], "allowed"],
    // IPv4-mapped IPv6 socket addresses match IPv4 rules
    ["::ffff:198.51.100.1", ["198.51.100.0/24"], [], "allowed"],
    ["2001:db8::5", ["2001:db8::/32"], [], "allowed"],
    ["2001:db9::5", ["2001:db8::/32"], [], "not_whitelisted"],
    ["2001:db8::5", [], ["2001:db8::/48"], "blacklisted"],
    // a v6 client never matches a v4 rule
    ["2001:db8::5", ["0.0.0.0/0"], [], "not_whitelisted"],
    ["fe80::1%eth0", ["fe80::/10"], [], "allowed"],
    ["garbage", ["0.0.0.0/0"], [], "not_whitelisted"],
  ];
  it.each(table)("%s with whitelist %j blacklist %j is %s", (ip, white, black, expected) => {
    expect(decideIp(ip, compileIpRules(white), compileIpRules(black))).toBe(expected);
  });
});
