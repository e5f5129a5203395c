// A scripted HTTP server playing a HopX-compatible cloud that the engine does not control (for
// upstream-hostile.test.ts): well-behaved by default, `route` overrides it per test; plus raw
// requests whose paths are sent exactly as written.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export const KEY = 'sk-hostile-cloud-key-0123456789';
export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
export type Obj = Record<string, unknown>;

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

export async function serve(h: Handler): Promise<[http.Server, string]> {
  const s = http.createServer(h);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return [s, `http://127.0.0.1:${(s.address() as AddressInfo).port}`];
}

export async function closeAll(servers: (http.Server | undefined)[]): Promise<void> {
  for (const s of servers) s?.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => (s ? s.close(r) : r(undefined)))));
}

export class ScriptedCloud {
  server!: http.Server;
  url = '';
  /** `METHOD path` of every request, " (no key)" appended when the key was missing. */
  seen: string[] = [];
  route: Handler | null = null;
  readonly created = new Set<string>();
  #n = 0;

  next(): number {
    return ++this.#n;
  }

  async start(): Promise<this> {
    [this.server, this.url] = await serve((req, res) => {
      this.seen.push(`${req.method} ${req.url}${req.headers['x-api-key'] === KEY ? '' : ' (no key)'}`);
      (this.route ?? this.base)(req, res);
    });
    return this;
  }

  sandbox = (id: string, extra: Obj = {}) => ({
    id,
    object: 'sandbox',
    status: 'running',
    template_name: 'code-interpreter',
    public_host: `${this.url}/agent/${id}`,
    auth_token: 'upstream-jwt-secret',
    token_expires_at: '2099-01-01T00:00:00Z',
    ...extra,
  });

  /** The well-behaved part: create, get, delete and an empty list. */
  base: Handler = (req, res) => {
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const m = /^\/v1\/sandboxes\/([^/?]+)/.exec(req.url ?? '');
    if (req.method === 'POST' && req.url === '/v1/sandboxes') {
      const id = `sbx-${this.next()}`;
      this.created.add(id);
      return send(201, this.sandbox(id));
    }
    if (req.method === 'DELETE' && m) return send(this.created.delete(m[1]!) ? 200 : 404, {});
    if (m && this.created.has(m[1]!)) return send(200, this.sandbox(m[1]!));
    if (req.url?.startsWith('/v1/sandboxes?'))
      return send(200, { data: [], has_more: false, next_cursor: null });
    send(404, { error: 'not found', message: 'Sandbox not found', code: 'SANDBOX_NOT_FOUND' });
  };
}

/** A GET whose path is sent exactly as written (fetch would normalize backslashes and dots). */
export function rawGet(
  base: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(base);
    const r = http.get({ host: u.hostname, port: u.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    r.on('error', reject);
  });
}
