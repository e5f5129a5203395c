/**
 * Which `public_host` an upstream may hand us (decision 0014, "Safety"). The gateway sends agent
 * traffic there with the upstream's sandbox JWT, so a hostile or compromised upstream must not be
 * able to point it at the engine itself, at the machine's loopback services, at a cloud metadata
 * address, or at the private network the engine sits in, unless the upstream itself is there.
 */
import { BlockList, isIP } from 'node:net';

type AddressClass = 'loopback' | 'private' | 'never' | 'public';

function list(entries: [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const b = new BlockList();
  for (const [net, prefix, type] of entries) b.addSubnet(net, prefix, type);
  return b;
}

/** Link-local (169.254/16 holds cloud metadata services), "this network", multicast. */
const NEVER = list([
  ['0.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['224.0.0.0', 3, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
]);
const LOOPBACK = list([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);
const PRIVATE = list([
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['fc00::', 7, 'ipv6'],
]);

/** The class of a URL's host name (as `new URL().hostname` spells it: IPv6 in brackets). */
export function addressClass(hostname: string): AddressClass {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return 'loopback';
  const v = isIP(h);
  if (v === 0) return 'public'; // a DNS name: not resolved here (see 0014)
  const type = v === 4 ? 'ipv4' : 'ipv6';
  if (NEVER.check(h, type)) return 'never';
  if (LOOPBACK.check(h, type)) return 'loopback';
  if (PRIVATE.check(h, type)) return 'private';
  return 'public';
}

/**
 * Why `raw` may not be used as an upstream sandbox's agent address, or null when it may.
 * `upstreamUrl` is the backend's configured URL; `ownPort` says whether a port is one of the
 * engine's own (API, frames, gateway range).
 */
export function refusePublicHost(
  raw: string,
  upstreamUrl: string,
  ownPort: (port: number) => boolean,
): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `scheme ${u.protocol} is not http(s)`;
  if (u.username || u.password) return 'it carries user info';
  const cls = addressClass(u.hostname);
  if (cls === 'never') return `${u.hostname} is a link-local, unspecified or multicast address`;
  if (cls === 'public') return null;
  const upstream = addressClass(new URL(upstreamUrl).hostname);
  // A cloud on loopback (a second engine on this machine) may use loopback and private hosts;
  // one on the private network may use private hosts; a public one neither.
  const allowed = upstream === 'loopback' || (upstream === 'private' && cls === 'private');
  if (!allowed) return `${u.hostname} is a ${cls} address and the upstream is not`;
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  if (cls === 'loopback' && ownPort(port)) return `port ${port} on loopback is this engine's own`;
  return null;
}
