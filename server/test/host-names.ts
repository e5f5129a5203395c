/** Test helpers for host-name routing (issue 13): `*.localhost` names in Node, free ports, plain requests. */
import dns from 'node:dns';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';

type LookupCb = (err: Error | null, address: unknown, family?: number) => void;

/**
 * Node resolves no `*.localhost` name (browsers do): point this process's lookups for them at
 * loopback (http, https, axios and ws all go through dns.lookup). Returns the undo.
 */
export function resolveLocalhostNames(): () => void {
  const original = dns.lookup;
  const lookup = (host: string, options: unknown, cb?: LookupCb): void => {
    const done = (typeof options === 'function' ? options : cb) as LookupCb;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
    if (!host.endsWith('.localhost')) {
      (original as (h: string, o: unknown, c: LookupCb) => void)(host, options, cb as LookupCb);
      return;
    }
    if (all) done(null, [{ address: '127.0.0.1', family: 4 }]);
    else done(null, '127.0.0.1', 4);
  };
  (dns as { lookup: unknown }).lookup = lookup;
  return () => {
    (dns as { lookup: unknown }).lookup = original;
  };
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with node:http(s) (which use dns.lookup, unlike fetch). */
export function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; ca?: string } = {},
): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : request;
    const req = send(
      url,
      { method: init.method ?? 'GET', headers: init.headers ?? {}, ...(init.ca ? { ca: init.ca } : {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}
