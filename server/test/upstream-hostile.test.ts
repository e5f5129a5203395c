// Upstream mode against a hostile or broken cloud, and hostile clients of the engine (decision
// 0014, "Safety"). The cloud here is a scripted HTTP server (a third party we do not control),
// the engine is real: it must clean up creates it cannot present, cap what it reads, refuse
// public_hosts it must not send a JWT to, never follow redirects, keep the key to itself, and
// never let a client's id or path reach another upstream route.
import type http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEngine, type TestEngine } from './engine.ts';
import {
  closeAll,
  freePort,
  KEY,
  type Obj,
  rawGet as rawGetAt,
  ScriptedCloud,
  serve,
} from './upstream-scripted-cloud.ts';

let engine: TestEngine;
const evil = new ScriptedCloud();
let trap: http.Server;
let trapUrl = '';
let trapHits = 0;
let good: http.Server;
let goodUrl = '';
const logs: string[] = [];
const sandbox = evil.sandbox;
const base = evil.base;

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${engine.baseUrl}${path}`, {
    method,
    headers: { ...engine.auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    redirect: 'manual',
  });
  const text = await res.text();
  expect(text).not.toContain(KEY);
  expect(text).not.toContain('upstream-jwt-secret');
  let json: Obj;
  try {
    json = JSON.parse(text) as Obj;
  } catch {
    json = { raw: text };
  }
  return { status: res.status, headers: res.headers, body: json };
}

const rawGet = (path: string) => rawGetAt(engine.baseUrl!, path, engine.auth);

beforeAll(async () => {
  await evil.start();
  [trap, trapUrl] = await serve((_req, res) => {
    trapHits++;
    res.end('{}');
  });
  [good, goodUrl] = await serve((req, res) => {
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url?.startsWith('/v1/sandboxes?'))
      return send(200, { data: [], has_more: false, next_cursor: null });
    if (req.method === 'POST')
      return send(201, { ...sandbox('sbx-good-1'), public_host: `${goodUrl}/agent` });
    if (req.url === '/v1/sandboxes/sbx-good-1') return send(200, {});
    send(404, { message: 'Sandbox not found', code: 'SANDBOX_NOT_FOUND' });
  });
  const port = await freePort();
  engine = await startEngine({
    upstreams: [
      { name: 'evil', url: evil.url, apiKey: KEY },
      { name: 'good', url: goodUrl, apiKey: 'sk-good' },
    ],
    agentPorts: [port, port], // one gateway port: the second create cannot be presented
    upstreamTimeoutMs: 2000,
    probeIntervalMs: 600_000,
    logger: { level: 'debug', stream: { write: (line: string) => void logs.push(line) } },
  });
  await engine.listen();
}, 60_000);

afterAll(async () => {
  // Nothing the hostile cloud echoed put the key in the engine's log.
  expect(logs.join('')).not.toContain(KEY);
  await engine?.dispose();
  await closeAll([evil.server, trap, good]);
});

beforeEach(() => {
  evil.route = null;
  evil.seen = [];
});

describe('upstream mode: a create it cannot present', () => {
  it('deletes the sandbox upstream and answers a clear 503', async () => {
    const first = await api('POST', '/v1/sandboxes', { template_name: 'code-interpreter' });
    expect(first.status).toBe(201);
    expect(first.body.public_host).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    const second = await api('POST', '/v1/sandboxes', { template_name: 'code-interpreter' });
    expect(second.status).toBe(503);
    expect(second.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', request_id: expect.any(String) });
    expect(second.body.message).toMatch(/no free gateway port.*deleted on backend "evil"/);
    expect(evil.seen).toContain('DELETE /v1/sandboxes/sbx-2');
    expect(evil.created.has('sbx-2')).toBe(false);
    expect((await api('DELETE', `/v1/sandboxes/${first.body.id as string}`)).status).toBeLessThan(300);
  });
});

describe('upstream mode: a hostile cloud', () => {
  it('refuses public_hosts that point at link-local, other schemes or carry user info', async () => {
    const trapPort = new URL(trapUrl).port;
    for (const host of [
      'http://169.254.169.254/latest',
      'file:///etc/passwd',
      `http://u:p@127.0.0.1:${trapPort}/`,
    ]) {
      evil.route = (req, res) =>
        req.method === 'POST'
          ? res
              .writeHead(201, { 'content-type': 'application/json' })
              .end(JSON.stringify(sandbox(`sbx-h${evil.next()}`, { public_host: host })))
          : base(req, res);
      const c = await api('POST', '/v1/sandboxes', { template_name: 'code-interpreter' });
      expect(c.status).toBe(201);
      // The engine's agent URL for it leads nowhere: the upstream JWT is not sent anywhere.
      const agent = await fetch(`${c.body.public_host as string}/system`, {
        headers: { authorization: `Bearer ${c.body.auth_token as string}` },
      });
      await agent.text();
      expect(agent.status).toBe(404);
      await api('DELETE', `/v1/sandboxes/${c.body.id as string}`);
    }
    expect(trapHits).toBe(0);
  });

  it('does not pass the cloud refusing the engine key on as "Invalid API key" to the SDK', async () => {
    evil.route = (_req, res) =>
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Invalid API key"}');
    const c = await api('POST', '/v1/sandboxes', { template_name: 'code-interpreter' });
    expect(c.status).toBe(502);
    expect(c.body).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', backend: 'evil' });
    expect(c.body.message).toMatch(/Backend "evil" is unavailable: it refused the engine's API key/);
    const list = await api('GET', '/v1/sandboxes');
    expect(list.status).toBe(200);
    expect(list.body.unavailable_backends).toEqual([
      { name: 'evil', message: expect.stringMatching(/refused the engine's API key/) },
    ]);
    // The operator sees it in the engine's output, once, and sees it end.
    const said = (re: RegExp) => logs.filter((l) => re.test(l)).length;
    expect(said(/Backend \\"evil\\" is degraded: the upstream refused the API key/)).toBe(1);
    evil.route = null;
    expect((await api('GET', '/v1/sandboxes?backend=evil')).status).toBe(200);
    expect(said(/Backend \\"evil\\" is reachable/)).toBe(1);
  });

  it("cannot claim another backend's sandbox (nor declare it deleted) through its list", async () => {
    const g = await api('POST', '/v1/sandboxes', { template_name: 'code-interpreter', backend: 'good' });
    expect(g.status).toBe(201);
    const row = () =>
      engine.store.db
        .prepare('SELECT backend, public_host FROM upstream_sandboxes WHERE id = ?')
        .get('sbx-good-1');
    for (const claim of [{ public_host: `${trapUrl}/agent` }, { status: 'deleted' }]) {
      evil.route = (req, res) =>
        req.url?.startsWith('/v1/sandboxes?')
          ? res
              .writeHead(200, { 'content-type': 'application/json' })
              .end(
                JSON.stringify({ data: [sandbox('sbx-good-1', claim)], has_more: false, next_cursor: null }),
              )
          : base(req, res);
      const list = await api('GET', '/v1/sandboxes?backend=evil');
      expect(list.status).toBe(200);
      expect(list.body.data).toEqual([expect.not.objectContaining({ auth_token: expect.anything() })]);
      expect(row()).toEqual({ backend: 'good', public_host: `${goodUrl}/agent` });
    }
    expect(trapHits).toBe(0);
    evil.route = null;
    expect((await api('DELETE', '/v1/sandboxes/sbx-good-1')).status).toBe(200);
  });

  it('caps an endless JSON body with a 502 and stops reading it', async () => {
    let closed!: () => void;
    const gone = new Promise<void>((r) => (closed = r));
    evil.route = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":["');
      const chunk = 'x'.repeat(64 * 1024);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.once('close', closed);
      pump();
    };
    const before = process.memoryUsage().rss;
    const r = await api('GET', '/v1/sandboxes?backend=evil');
    expect(r.status).toBe(502);
    expect(r.body).toMatchObject({ code: 'UPSTREAM_BAD_ANSWER' });
    expect(r.body.message).toMatch(/more than 8 MiB/);
    await gone;
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('takes at most `limit` items (objects only) from an upstream page', async () => {
    const many = Array.from({ length: 50_000 }, (_, i) => ({ id: `sbx-many-${i}`, status: 'running' }));
    evil.route = (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ data: [null, 7, ...many], has_more: false, next_cursor: null }));
    const r = await api('GET', '/v1/sandboxes?backend=evil&limit=5');
    expect(r.status).toBe(200);
    expect((r.body.data as Obj[]).map((s) => s.id)).toEqual(['sbx-many-0', 'sbx-many-1', 'sbx-many-2']);
  });

  it('answers 502 to malformed JSON and to redirects, which it never follows', async () => {
    evil.route = (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "sbx-');
    expect((await api('GET', '/v1/sandboxes?backend=evil')).body.code).toBe('UPSTREAM_BAD_ANSWER');
    evil.route = (_req, res) => res.writeHead(302, { location: `${trapUrl}/v1/sandboxes` }).end();
    const r = await api('GET', '/v1/sandboxes?backend=evil');
    expect(r.status).toBe(502);
    expect(r.body.message).toMatch(/redirect \(302\)/);
    expect(r.headers.get('location')).toBeNull();
    expect(trapHits).toBe(0);
  });

  it('times out a head that never ends and a body that stalls', async () => {
    evil.route = (req) => req.socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n'); // no end of head
    expect((await api('GET', '/v1/sandboxes?backend=evil')).body.code).toBe('UPSTREAM_TIMEOUT');
    evil.route = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).write('{"data":[');
    expect((await api('GET', '/v1/sandboxes?backend=evil')).body.code).toBe('UPSTREAM_TIMEOUT');
  });

  it('keeps Set-Cookie, Location and HTML from the client, and the echoed key out of answers', async () => {
    const c = await api('POST', '/v1/sandboxes', { template_name: 'code-interpreter' });
    const id = c.body.id as string;
    evil.route = (req, res) =>
      req.url?.startsWith(`/v1/sandboxes/${id}/metrics`)
        ? res
            .writeHead(200, {
              'content-type': 'text/html',
              'set-cookie': 'hd_session=evil; Path=/',
              location: trapUrl,
            })
            .end(`<script>alert(1)</script> ${KEY}`)
        : res
            .writeHead(400, { 'content-type': 'application/json', 'set-cookie': 'a=b', 'x-request-id': KEY })
            .end(JSON.stringify({ error: 'bad', message: `key ${KEY} is not valid` }));
    const m = await fetch(`${engine.baseUrl}/v1/sandboxes/${id}/metrics`, { headers: engine.auth });
    expect(m.headers.get('set-cookie')).toBeNull();
    expect(m.headers.get('location')).toBeNull();
    expect(m.headers.get('content-type')).toBe('application/octet-stream');
    expect(await m.text()).toBe('<script>alert(1)</script> [redacted]');
    const bad = await api('PUT', `/v1/sandboxes/${id}/timeout`, { timeout: 60 });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('set-cookie')).toBeNull();
    expect(bad.body.message).toBe('key [redacted] is not valid');
    expect(bad.headers.get('x-request-id')).toBe('[redacted]');
    evil.route = null;
    await api('DELETE', `/v1/sandboxes/${id}`);
  });
});

describe('upstream mode: hostile clients', () => {
  it('never lets an id or path reach another upstream route', async () => {
    const paths = [
      '/v1/sandboxes/..%2f..%2fv1%2ftemplates',
      '/v1/sandboxes/%2e%2e',
      '/v1/sandboxes/%2e%2e/kill',
      '/v1/sandboxes/a%40evil.example',
      '/v1/sandboxes/a%5C..%5Cb',
      '/v1/sandboxes/a%2F..%2F..%2Fv1%2Fsandboxes',
      `/v1/sandboxes/${'a'.repeat(300)}`,
      '/v1/sandboxes/sbx-1%00',
    ];
    for (const p of paths) expect((await api('GET', p)).status).toBeGreaterThanOrEqual(400);
    // Only the well-formed long-free ids were ever asked about, and nothing else.
    expect(evil.seen.filter((s) => !/^GET \/v1\/sandboxes\/[A-Za-z0-9_-]{1,128}$/.test(s))).toEqual([]);
  });

  it('forwards no encoded slashes, backslashes or dots under a known sandbox', async () => {
    const c = await api('POST', '/v1/sandboxes', { template_name: 'code-interpreter' });
    const id = c.body.id as string;
    evil.seen = [];
    for (const p of [
      `/v1/sandboxes/${id}/executions/..%2F..%2Fv1%2Ftemplates`,
      `/v1/sandboxes/${id}/executions/..%5C..%5Cv1`,
      `/v1/sandboxes/${id}/executions/..\\..\\v1`,
      `/v1/sandboxes/${id}/ports/%2e%2e%2f1`,
    ]) {
      const r = await rawGet(p);
      expect([400, 404]).toContain(r.status);
      expect(r.body).not.toContain(KEY);
    }
    expect(evil.seen).toEqual([]);
    await api('DELETE', `/v1/sandboxes/${id}`);
  });

  it('answers 400 to odd backend names and forged cursors, passing cursors only as a value', async () => {
    const odd = await api('GET', '/v1/sandboxes?backend=%00%0d%0aevil');
    expect(odd.status).toBe(400);
    expect(odd.body.message).toBe('Unknown backend "???evil": this engine has local, evil, good');
    const c = await api('POST', '/v1/sandboxes', { template_name: 'x', backend: 'evil\u0000' });
    expect(c.status).toBe(400);
    const forge = (p: object) => Buffer.from(JSON.stringify(p)).toString('base64url');
    expect((await api('GET', `/v1/sandboxes?cursor=${forge({ b: 'other', c: 'x' })}`)).status).toBe(400);
    expect(
      (await api('GET', `/v1/sandboxes?cursor=${forge({ b: 'evil', c: 'x'.repeat(2000) })}`)).status,
    ).toBe(400);
    evil.seen = [];
    expect(
      (await api('GET', `/v1/sandboxes?cursor=${forge({ b: 'evil', c: '../../admin?x=1#' })}`)).status,
    ).toBe(200);
    expect(evil.seen).toEqual(['GET /v1/sandboxes?limit=100&cursor=..%2F..%2Fadmin%3Fx%3D1%23']);
  });

  it('asks the upstreams about an unknown id once, not on every repeat', async () => {
    for (let i = 0; i < 20; i++) expect((await api('GET', '/v1/sandboxes/sbx-nobody')).status).toBe(404);
    expect(evil.seen).toEqual(['GET /v1/sandboxes/sbx-nobody']);
  });
});
