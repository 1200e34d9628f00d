import { type LookupAddress, lookup } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { buildConnector } from "undici";
import { isLocalHostname, isPublicAddress } from "../../common/public-address.js";

// The connect-time half of the SSRF guard (DESIGN §7): the control plane refuses private literal
// hosts on save, but a public-looking name may resolve to a private address (or be re-pointed later).
// So every new upstream connection checks the address it is about to dial: an IP literal before
// connecting, a name on the addresses DNS gave (all of them: one private answer refuses the name).

/** Resolves a host name to its addresses (dns.lookup with all: true; tests inject their own). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    lookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

export class UpstreamAddressRefused extends Error {
  readonly code = "UPSTREAM_ADDRESS_REFUSED";
}

export interface AddressGuardOptions {
  connectTimeoutMs: number;
  /** TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: local simulators and tests. */
  allowPrivate: boolean;
  resolver?: Resolver;
}

/** Why connecting to this address is refused, or undefined when it may be dialled. */
export function refusal(host: string, address: string, allowPrivate: boolean): string | undefined {
  if (allowPrivate || isPublicAddress(address)) return undefined;
  return host === address
    ? `upstream address ${address} is not public`
    : `upstream host ${host} resolves to ${address}, which is not public`;
}

/** An undici connector that refuses non-public upstream addresses unless private upstreams are allowed. */
export function guardedConnector(options: AddressGuardOptions): buildConnector.connector {
  const resolver = options.resolver ?? systemResolver;
  const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolver(hostname).then(
      (addresses) => {
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : undefined;
        const usable = wanted ? addresses.filter((a) => a.family === wanted) : addresses;
        for (const { address } of addresses) {
          const why = refusal(hostname, address, options.allowPrivate);
          if (why) return callback(new UpstreamAddressRefused(why), "", 4);
        }
        const [first] = usable;
        if (!first)
          return callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), "", 4);
        if (lookupOptions.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, usable);
        return callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 4),
    );
  };
  // With private upstreams allowed and the system's resolver, nothing needs checking: the plain connector.
  const guarding = !options.allowPrivate || options.resolver !== undefined;
  const connect = buildConnector({
    timeout: options.connectTimeoutMs,
    ...(guarding ? { lookup: guardedLookup } : {}),
  });
  if (!guarding) return connect;
  return (connectOptions, callback) => {
    const host = connectOptions.hostname.replace(/^\[(.*)\]$/, "$1");
    if (isIP(host) !== 0) {
      const why = refusal(host, host, options.allowPrivate);
      if (why) return callback(new UpstreamAddressRefused(why), null);
    } else if (!options.allowPrivate && isLocalHostname(host)) {
      return callback(new UpstreamAddressRefused(`upstream host ${host} is not public`), null);
    }
    return connect(connectOptions, callback);
  };
}
