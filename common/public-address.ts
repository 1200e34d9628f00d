import ipaddr from "ipaddr.js";

// Which upstream addresses a gateway may connect to (DESIGN §7). ipaddr.js names every special range
// (loopback, private, link-local with the 169.254.169.254 metadata service, CGNAT, unique-local v6
// with fd00:ec2::254, NAT64, 6to4, multicast, reserved, ...); only plain "unicast" is public, so a
// range we did not think of is refused rather than allowed.

/** True for a public unicast IP address (v4, v6, or v4-mapped v6); false for anything else. */
export function isPublicAddress(address: string): boolean {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  if (!ipaddr.isValid(bare)) return false;
  return ipaddr.process(bare).range() === "unicast";
}

/** Names that only ever resolve locally, refused before any lookup. */
export function isLocalHostname(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  return name === "localhost" || name.endsWith(".localhost") || name.endsWith(".local") || name.endsWith(".internal");
}
