/**
 * Port URLs (decision 0011) against the real engine: a server started inside a sandbox is served at
 * http://<port>-<id>.localhost:<engine port>/ over HTTP and WebSocket, only to the sandbox's token
 * holder or a browser that came through a one-time link; hostile hosts and tokens are refused.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Sandbox } from '../../contract/schemas.ts';
import { json, startEngine, type TestEngine } from './engine.ts';

let e: TestEngine;
let port: number;
let s: Sandbox;
let other: Sandbox;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request to the engine's loopback address with a chosen Host (Node does not resolve *.localhost). */
function hostGet(host: string, path = '/', headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const hostOf = (id: string, p: number | string) => `${p}-${id}.localhost:${port}`;
const bearer = (t = s.auth_token) => ({ authorization: `Bearer ${t}` });

async function create(): Promise<Sandbox> {
  const res = await e.app.inject({
    method: 'POST',
    url: '/v1/sandboxes',
    headers: e.auth,
    payload: { template_name: 'ubuntu' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return Sandbox.parse(json(res));
}

async function background(sb: Sandbox, script: string) {
  const res = await fetch(`${sb.public_host}/commands/background`, {
    method: 'POST',
    headers: { ...bearer(sb.auth_token), 'content-type': 'application/json' },
    body: JSON.stringify({ command: 'bash', args: ['-c', script], timeout: 600 }),
  });
  expect(res.status).toBe(200);
}

// A WebSocket echo server with Node builtins only (the sandbox has no npm packages).
const WS_ECHO = `
const http = require('http'), crypto = require('crypto');
http.createServer((q, r) => r.end('plain')).on('upgrade', (req, sock) => {
  const k = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  sock.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: ' + k + '\\r\\n\\r\\n');
  sock.on('data', (b) => {
    const len = b[1] & 127, mask = b.subarray(2, 6);
    const p = Buffer.from(b.subarray(6, 6 + len).map((x, i) => x ^ mask[i % 4]));
    sock.write(Buffer.concat([Buffer.from([0x81, p.length]), p]));
  });
}).listen(8001, '127.0.0.1');`;

beforeAll(async () => {
  e = await startEngine();
  port = Number(new URL(await e.listen()).port);
  [s, other] = await Promise.all([create(), create()]);
  await background(
    s,
    'mkdir -p /workspace/site && echo hello-from-port > /workspace/site/index.html && cd /workspace/site && exec python3 -m http.server 8000',
  );
  await background(s, `cat > /tmp/ws.js <<'JS'\n${WS_ECHO}\nJS\nexec node /tmp/ws.js`);
});
afterAll(async () => {
  await e?.dispose();
});

async function listPorts(id: string) {
  const res = await e.app.inject({
    url: `/v1/sandboxes/${id}/ports`,
    headers: { ...e.auth, host: `127.0.0.1:${port}` },
  });
  expect(res.statusCode, res.body).toBe(200);
  return json<{ data: { port: number; url: string; access_url: string; process: string | null }[] }>(res)
    .data;
}

describe('sandbox ports', () => {
  it('lists the listening ports with their URLs, without the kernel’s own ports', async () => {
    // the servers start in the background: wait until both listen
    await expect
      .poll(async () => (await listPorts(s.id)).map((p) => p.port).sort(), { timeout: 60_000, interval: 300 })
      .toEqual([8000, 8001]);
    const ports = await listPorts(s.id);
    const p8000 = ports.find((p) => p.port === 8000);
    expect(p8000?.url).toBe(`http://${hostOf(s.id, 8000)}/`);
    expect(p8000?.process).toContain('http.server');
    expect(await listPorts(other.id)).toEqual([]);
  });

  it('serves a port to the sandbox token holder, not to anyone else', async () => {
    const ok = await hostGet(hostOf(s.id, 8000), '/index.html', bearer());
    expect(ok.status).toBe(200);
    expect(ok.body.trim()).toBe('hello-from-port');
    expect((await hostGet(hostOf(s.id, 8000), '/')).status).toBe(401);
    const forged = await hostGet(hostOf(s.id, 8000), '/', bearer(`${s.auth_token}x`));
    expect(json(forged)).toMatchObject({ code: 'TOKEN_INVALID' });
    const cross = await hostGet(hostOf(s.id, 8000), '/', bearer(other.auth_token));
    expect(cross.status).toBe(401);
    // another sandbox's host with this sandbox's token
    expect((await hostGet(hostOf(other.id, 8000), '/', bearer())).status).toBe(401);
  });

  it('exchanges a one-time link for a host-only cookie and strips the token from the URL', async () => {
    const res = await e.app.inject({ url: `/v1/sandboxes/${s.id}/ports/8000`, headers: e.auth });
    const { access_url, url } = json<{ access_url: string; url: string }>(res);
    expect(url).toBe(`http://${hostOf(s.id, 8000)}/`);
    const link = new URL(access_url);
    const path = `/index.html${link.search}&keep=1`;
    const first = await hostGet(link.host, path);
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe('/index.html?keep=1');
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toMatch(/^hopdeck_port=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
    expect(setCookie).not.toMatch(/Domain/i);
    const cookie = setCookie.split(';')[0] ?? '';
    const page = await hostGet(link.host, '/index.html', { cookie });
    expect(page.body.trim()).toBe('hello-from-port');
    expect((await hostGet(link.host, path)).status).toBe(401); // spent
    expect((await hostGet(hostOf(s.id, 8001), '/', { cookie })).status).toBe(401); // other port
    expect((await hostGet(hostOf(other.id, 8000), '/', { cookie })).status).toBe(401); // other sandbox
    const forged = `${cookie.slice(0, -2)}xx`;
    expect((await hostGet(link.host, '/', { cookie: forged })).status).toBe(401);
  });

  it('relays WebSockets (live reload) through the port URL', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, {
      headers: { host: hostOf(s.id, 8001), ...bearer() },
    });
    const echoed = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('ping-through-port'));
      ws.on('message', (d) => resolve(String(d)));
      ws.on('error', reject);
    });
    expect(echoed).toBe('ping-through-port');
    ws.close();
    const refused = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { host: hostOf(s.id, 8001) } });
    const status = await new Promise<number>((resolve) =>
      refused.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(401);
  });

  it('refuses bad ports and ids, and says when nothing listens', async () => {
    for (const p of ['0', '65536', 'abc', '08000', '99999999']) {
      const r = await hostGet(hostOf(s.id, p), '/', bearer());
      expect(r.status, p).toBe(400);
      expect(json({ body: r.body })).toMatchObject({ code: 'INVALID_PORT' });
      const api = await e.app.inject({ url: `/v1/sandboxes/${s.id}/ports/${p}`, headers: e.auth });
      expect(api.statusCode, p).toBe(400);
    }
    expect((await hostGet(`8000-sandbox_nope.localhost:${port}`, '/', bearer())).status).toBe(404);
    const missing = await e.app.inject({
      url: '/v1/sandboxes/sandbox_0000000000000000/ports/8000',
      headers: e.auth,
    });
    expect(missing.statusCode).toBe(404);
    const idle = await hostGet(hostOf(s.id, 8002), '/', bearer());
    expect(idle.status).toBe(502);
    expect(json({ body: idle.body })).toMatchObject({ code: 'PORT_NOT_LISTENING' });
    // the API needs a key; the dashboard host itself is untouched
    expect((await e.app.inject({ url: `/v1/sandboxes/${s.id}/ports` })).statusCode).toBe(401);
    expect((await hostGet(`127.0.0.1:${port}`, '/health')).status).toBe(200);
  });

  it('keeps a paused sandbox’s ports closed and reports preview_url', async () => {
    const got = Sandbox.parse(json(await e.app.inject({ url: `/v1/sandboxes/${s.id}`, headers: e.auth })));
    expect(got.preview_url).toBe(`http://8000-${s.id}.localhost:${port}/`);
    await e.app.inject({ method: 'POST', url: `/v1/sandboxes/${other.id}/pause`, headers: e.auth });
    const paused = await hostGet(hostOf(other.id, 8000), '/', bearer(other.auth_token));
    expect(paused.status).toBe(409);
    expect(json({ body: paused.body })).toMatchObject({ code: 'SANDBOX_PAUSED' });
  });
});
