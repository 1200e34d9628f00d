import ipaddr from "ipaddr.js";

// IP allow/deny lists of API keys (DESIGN §5.3): entries are IPv4/IPv6 addresses or CIDRs.
// Parsed once when config arrives; matching on the request path is a prefix compare.

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export interface IpRule {
  readonly address: Address;
  readonly prefixLength: number;
}

export type IpRuleParse = { ok: true; rule: IpRule } | { ok: false; error: string };

const IPV4_PART = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function parseAddress(text: string): Address | undefined {
  if (text.includes(":")) {
    if (!ipaddr.IPv6.isValid(text)) return undefined;
    return ipaddr.IPv6.parse(text);
  }
  // ipaddr.js also takes "1.2.3" and hex or octal parts; an allow-list entry must be plain dotted quad.
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => IPV4_PART.test(p))) return undefined;
  return ipaddr.IPv4.parse(text);
}

/** Parses one list entry: "203.0.113.7", "10.0.0.0/8", "2001:db8::/32", "::1". */
export function parseIpRule(entry: string): IpRuleParse {
  const text = entry.trim();
  if (text === "") return { ok: false, error: "empty entry" };
  const slash = text.indexOf("/");
  const address = parseAddress(slash === -1 ? text : text.slice(0, slash));
  if (!address) return { ok: false, error: `"${entry}" is not an IPv4 or IPv6 address or CIDR` };
  const maxBits = address.kind() === "ipv4" ? 32 : 128;
  if (slash === -1) return { ok: true, rule: { address, prefixLength: maxBits } };
  const bitsText = text.slice(slash + 1);
  const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : Number.NaN;
  if (!(bits >= 0 && bits <= maxBits)) {
    return { ok: false, error: `"${entry}" has an invalid prefix length (0-${maxBits} for ${address.kind()})` };
  }
  return { ok: true, rule: { address, prefixLength: bits } };
}

/** The first malformed entry of a list, for validation errors that name it. */
export function findInvalidIpEntry(entries: readonly string[]): { index: number; error: string } | undefined {
  for (let index = 0; index < entries.length; index++) {
    const parsed = parseIpRule(entries[index] as string);
    if (!parsed.ok) return { index, error: parsed.error };
  }
  return undefined;
}

/** Parses a list known to be valid (validated when saved); malformed entries are skipped. */
export function compileIpRules(entries: readonly string[]): IpRule[] {
  const rules: IpRule[] = [];
  for (const entry of entries) {
    const parsed = parseIpRule(entry);
    if (parsed.ok) rules.push(parsed.rule);
  }
  return rules;
}

/** Parses a client address, unwrapping IPv4-mapped IPv6 ("::ffff:1.2.3.4") to IPv4. */
export function parseClientIp(ip: string): Address | undefined {
  const zone = ip.indexOf("%");
  const text = zone === -1 ? ip : ip.slice(0, zone);
  if (!ipaddr.isValid(text)) return undefined;
  return ipaddr.process(text);
}

function matches(address: Address, rule: IpRule): boolean {
  if (address.kind() !== rule.address.kind()) return false;
  return (address as ipaddr.IPv4).match(rule.address as ipaddr.IPv4, rule.prefixLength);
}

export function matchesAny(address: Address, rules: readonly IpRule[]): boolean {
  for (const rule of rules) if (matches(address, rule)) return true;
  return false;
}

export type IpDecision = "allowed" | "blacklisted" | "not_whitelisted";

/** Blacklist first; then a non-empty whitelist must match. An unparseable client address is refused by any rule. */
export function decideIp(ip: string, whitelist: readonly IpRule[], blacklist: readonly IpRule[]): IpDecision {
  if (whitelist.length === 0 && blacklist.length === 0) return "allowed";
  const address = parseClientIp(ip);
  if (!address) return blacklist.length > 0 ? "blacklisted" : "not_whitelisted";
  if (matchesAny(address, blacklist)) return "blacklisted";
  if (whitelist.length > 0 && !matchesAny(address, whitelist)) return "not_whitelisted";
  return "allowed";
}
