import { describe, expect, it } from "vitest";
import { compileIpRules } from "../../common/ip-rules.js";
import { ipDecision, parseTrustedProxies, resolveClientIp } from "./client-ip.js";

function trusted(text: string) {
  const parsed = parseTrustedProxies(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.rules;
}

describe("parseTrustedProxies", () => {
  it("reads IPs and CIDRs separated by commas and spaces", () => {
    expect(trusted("10.0.0.0/8, 127.0.0.1  ::1,fd00::/8")).toHaveLength(4);
    expect(trusted("")).toEqual([]);
    expect(parseTrustedProxies(undefined)).toEqual({ ok: true, rules: [] });
  });

  it("names a bad entry", () => {
    const parsed = parseTrustedProxies("10.0.0.0/8,10.0.0.0/40");
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain("10.0.0.0/40");
  });
});

describe("resolveClientIp", () => {
  const proxies = trusted("10.0.0.0/8, 2001:db8:ffff::/48");
  const table: Array<[string, string, Record<string, string>, string]> = [
    ["no forwarded headers", "203.0.113.9", {}, "203.0.113.9"],
    ["IPv4-mapped peer is normalised", "::ffff:203.0.113.9", {}, "203.0.113.9"],
    // an untrusted peer's headers are the client's own words
    ["untrusted peer: XFF ignored", "203.0.113.9", { "x-forwarded-for": "198.51.100.1" }, "203.0.113.9"],
    ["untrusted peer: X-Real-IP ignored", "203.0.113.9", { "x-real-ip": "198.51.100.1" }, "203.0.113.9"],
    ["untrusted peer: Forwarded ignored", "203.0.113.9", { forwarded: "for=198.51.100.1" }, "203.0.113.9"],
    ["trusted peer: XFF single hop", "10.0.0.2", { "x-forwarded-for": "198.51.100.1" }, "198.51.100.1"],
    [
      "trusted peer: spoofed left entries are skipped",
      "10.0.0.2",
      { "x-forwarded-for": "1.1.1.1, 198.51.100.1" },
      "198.51.100.1",
    ],
    [
      "trusted peer: our own proxies are skipped from the right",
      "10.0.0.2",
      { "x-forwarded-for": "1.1.1.1, 198.51.100.1, 10.0.0.7, 10.0.0.3" },
      "198.51.100.1",
    ],
    ["all hops trusted: the leftmost", "10.0.0.2", { "x-forwarded-for": "10.0.0.9, 10.0.0.3" }, "10.0.0.9"],
    ["hop with a port", "10.0.0.2", { "x-forwarded-for": "198.51.100.1:5123" }, "198.51.100.1"],
    ["IPv6 hop in brackets", "10.0.0.2", { "x-forwarded-for": "[2001:db8::7]:443" }, "2001:db8::7"],
    ["bare IPv6 hop", "10.0.0.2", { "x-forwarded-for": "2001:db8::7" }, "2001:db8::7"],
    ["garbage stops the walk: the nearest trusted hop", "10.0.0.2", { "x-forwarded-for": "x, 10.0.0.5" }, "10.0.0.5"],
    ["garbage rightmost: the peer", "10.0.0.2", { "x-forwarded-for": "198.51.100.1, garbage" }, "10.0.0.2"],
    ["empty XFF: the peer", "10.0.0.2", { "x-forwarded-for": "" }, "10.0.0.2"],
    ["trusted v6 peer", "2001:db8:ffff::1", { "x-forwarded-for": "198.51.100.1" }, "198.51.100.1"],
    ["X-Real-IP", "10.0.0.2", { "x-real-ip": "198.51.100.4" }, "198.51.100.4"],
    ["X-Real-IP garbage: the peer", "10.0.0.2", { "x-real-ip": "nope" }, "10.0.0.2"],
    [
      "XFF wins over X-Real-IP",
      "10.0.0.2",
      { "x-forwarded-for": "198.51.100.1", "x-real-ip": "198.51.100.4" },
      "198.51.100.1",
    ],
    ["Forwarded for=", "10.0.0.2", { forwarded: "for=198.51.100.1;proto=https;by=10.0.0.2" }, "198.51.100.1"],
    [
      "Forwarded quoted IPv6 with port, walked from the right",
      "10.0.0.2",
      { forwarded: 'for=1.1.1.1, for="[2001:db8:cafe::17]:4711", for=10.0.0.8' },
      "2001:db8:cafe::17",
    ],
    ["Forwarded FOR= is case-insensitive", "10.0.0.2", { forwarded: "proto=http; FOR=198.51.100.1" }, "198.51.100.1"],
    ["Forwarded obfuscated node: the peer", "10.0.0.2", { forwarded: "for=_hidden" }, "10.0.0.2"],
    [
      "Forwarded unknown node falls back to X-Real-IP",
      "10.0.0.2",
      { forwarded: "for=unknown", "x-real-ip": "198.51.100.4" },
      "198.51.100.4",
    ],
    [
      "XFF wins over Forwarded",
      "10.0.0.2",
      { "x-forwarded-for": "198.51.100.1", forwarded: "for=198.51.100.2" },
      "198.51.100.1",
    ],
    ["unparseable socket address is returned as is", "", { "x-forwarded-for": "198.51.100.1" }, ""],
  ];
  it.each(table)("%s", (_name, socket, headers, expected) => {
    expect(resolveClientIp(socket, headers, proxies)).toBe(expected);
  });

  it("believes no header when no proxy is trusted", () => {
    expect(resolveClientIp("10.0.0.2", { "x-forwarded-for": "198.51.100.1" }, [])).toBe("10.0.0.2");
  });
});

describe("ipDecision", () => {
  const rules = (white: string[], black: string[]) => ({
    whitelist: compileIpRules(white),
    blacklist: compileIpRules(black),
  });
  const table: Array<[string, string[], string[], boolean]> = [
    ["198.51.100.1", [], [], true],
    ["198.51.100.1", ["198.51.100.0/24"], [], true],
    ["198.51.101.1", ["198.51.100.0/24"], [], false],
    ["198.51.100.1", ["198.51.100.0/24"], ["198.51.100.1"], false],
    ["2001:db8::1", [], ["2001:db8::/32"], false],
  ];
  it.each(table)("%s white %j black %j -> allowed %s", (ip, white, black, allowed) => {
    const decision = ipDecision(ip, rules(white, black));
    expect(decision.ok).toBe(allowed);
    if (!decision.ok) {
      expect(decision.code).toBe("ACCESS_DENIED");
      expect(decision.message).toBe("Access denied");
    }
  });
});
