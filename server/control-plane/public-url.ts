/**
 * Every URL the engine hands out (decision 0013). Without `--public-url` they name the listen
 * address: each sandbox's agent on its own loopback gateway port, ports under `*.localhost`, the
 * frames origin on `--frames-port`. With `--public-url https://hopdeck.example.com` they all live on
 * that one origin's host name and port: `https://7777-<id>.hopdeck.example.com` (the agent, as in
 * HopX), `https://<port>-<id>.hopdeck.example.com/` (sandbox ports), `https://frames.hopdeck…`.
 */
import { portUrl } from '../gateway/ports-host.ts';
import { publicHostName } from './view.ts';

/** The agent's port in HopX host names (`7777-<id>.<region>.vms.hopx.dev`). */
export const AGENT_HOST_PORT = 7777;
/** The label of the frames origin's host name under the public host. */
export const FRAMES_LABEL = 'frames';

export interface PublicUrl {
  protocol: 'http:' | 'https:';
  /** Host name without port, lower case (`hopdeck.example.com`). */
  hostname: string;
  /** `:8443`, or '' for the protocol's default port. */
  portSuffix: string;
  origin: string;
}

/** `https://hopdeck.example.com[/]` → its parts; anything with a path, query, user or IP-less junk → Error. */
export function parsePublicUrl(text: string): PublicUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('expected a URL like https://hopdeck.example.com');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('expected http:// or https://');
  if (url.username || url.password) throw new Error('a public URL carries no user name or password');
  if (url.pathname !== '/' || url.search || url.hash)
    throw new Error('a public URL is an origin: no path, query or fragment (sub-paths are not supported)');
  const hostname = url.hostname.toLowerCase();
  if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/.test(hostname))
    throw new Error(
      'expected a DNS name with a dot (sandboxes get sibling names under it), not an IP address',
    );
  if (/^[\d.]+$/.test(hostname)) throw new Error('expected a DNS name, not an IP address');
  return {
    protocol: url.protocol,
    hostname,
    portSuffix: url.port ? `:${url.port}` : '',
    origin: url.origin,
  };
}

export interface Addresses {
  /** The public URL, or null for the local default. */
  public: PublicUrl | null;
  /** The dashboard's origins as browsers name them (CORS, CSRF, frame-ancestors). */
  dashboardOrigins: string[];
  /** Base of the sign-in link and the "listening on" line. */
  dashboardUrl: string;
  framesOrigin: string;
  /** A sandbox's `public_host`: its agent (host name, or its loopback gateway port). */
  agentUrl(sandboxId: string, gatewayPort: number | null | undefined): string;
  /** A sandbox port's URL (decision 0011). */
  portUrl(sandboxId: string, port: number): string;
  /** Host name suffix that sandbox hosts live under (`localhost` by default). */
  hostSuffix: string;
  /** The frames origin's host name when it shares the engine's port, else null. */
  framesHost: string | null;
}

export interface AddressOptions {
  publicUrl?: string | undefined;
  /** Listen address. */
  host: string;
  /** The engine's configured port. */
  port: number;
  /** The port it actually listens on (tests listen on port 0). */
  listenPort: () => number;
  framesPort: number;
  corsOrigin?: string | undefined;
}

export function addresses(opts: AddressOptions): Addresses {
  const extra = opts.corsOrigin ? [opts.corsOrigin] : [];
  if (opts.publicUrl) {
    const p = parsePublicUrl(opts.publicUrl);
    const sibling = (label: string) => `${p.protocol}//${label}.${p.hostname}${p.portSuffix}`;
    return {
      public: p,
      dashboardOrigins: [p.origin, ...extra],
      dashboardUrl: p.origin,
      framesOrigin: sibling(FRAMES_LABEL),
      agentUrl: (id) => sibling(`${AGENT_HOST_PORT}-${id}`),
      portUrl: (id, port) => `${sibling(`${port}-${id}`)}/`,
      hostSuffix: p.hostname,
      framesHost: `${FRAMES_LABEL}.${p.hostname}`,
    };
  }
  const name = publicHostName(opts.host);
  const base = `http://${name}:${opts.port}`;
  const origins = name === '127.0.0.1' ? [base, `http://localhost:${opts.port}`] : [base];
  return {
    public: null,
    dashboardOrigins: [...origins, ...extra],
    dashboardUrl: base,
    framesOrigin: `http://${name}:${opts.framesPort}`,
    agentUrl: (_id, gatewayPort) => (gatewayPort ? `http://${name}:${gatewayPort}` : ''),
    portUrl: (id, port) => portUrl(id, port, opts.listenPort()),
    hostSuffix: 'localhost',
    framesHost: null,
  };
}
