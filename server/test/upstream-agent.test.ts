/**
 * Agent traffic of upstream sandboxes (decision 0014, "Agent traffic"): a gateway in front of a
 * sandbox that runs on a second, real `hopdeck serve` playing the cloud. The client only ever holds
 * engine-issued tokens; the gateway swaps in the cloud's JWT. A small recording server stands in
 * for a hostile or odd upstream agent host where the test must see exactly what crossed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { AuthThrottle } from '../auth/throttle.ts';
import { SandboxTokens } from '../auth/tokens.ts';
import { createGateway, type Gateway } from '../gateway/index.ts';
import type { UpstreamAgents, UpstreamAgentTarget } from '../upstream/types.ts';
import { freePort } from './host-names.ts';
import { startUpstream, type Upstream } from './upstream-harness.ts';

const ORIGIN = 'http://127.0.0.1:7070';
const ECHO_ID = 'sandbox_echoupstream000001';
const tokens = new SandboxTokens(randomBytes(32));

let cloud: Upstream;
let id = '';
let gw: Gateway;
let base = '';
let engineToken = '';
const forgotten: string[] = [];
/** Every token the cloud handed to the test's UpstreamAgents (never to be seen by clients). */
const cloudTokens: string[] = [];
let refreshes = 0;

/** The upstream side as U1's control plane provides it, reduced to the cloud's own API. */
class CloudTarget implements UpstreamAgentTarget {
  readonly backend = 'cloud';
  cached: string | null = null;
  constructor(
    public publicHost: string,
    private readonly sandboxId: string,
  ) {}
  async token(opts?: { forceRefresh?: boolean }): Promise<string> {
    if (this.cached && !opts?.forceRefresh) return this.cached;
    refreshes++;
    const r = await cloud.call<{ auth_token: string }>(
      'POST',
      `/v1/sandboxes/${this.sandboxId}/token/refresh`,
    );
    if (r.status !== 200) throw Object.assign(new Error(`refresh ${r.status}`), { statusCode: r.status });
    cloudTokens.push(r.body.auth_token);
    this.cached = r.body.auth_token;
    return this.cached;
  }
}

const targets = new Map<string, UpstreamAgentTarget>();
const upstream: UpstreamAgents = {
  target: (sid) => targets.get(sid) ?? null,
  forget: (sid) => {
    forgotten.push(sid);
    targets.delete(sid);
  },
};

/** The recording upstream agent host: answers every request with what it received. */
const seen: { url: string; headers: http.IncomingHttpHeaders }[] = [];
let echo: http.Server;
let echoWss: WebSocketServer;
let echoPort = 0;

beforeAll(async () => {
  cloud = await startUpstream();
  const created = await cloud.call<{ id: string; public_host: string; auth_token: string }>(
    'POST',
    '/v1/sandboxes',
    { template_name: 'code-interpreter' },
  );
  expect(created.status).toBe(201);
  id = created.body.id;
  cloudTokens.push(created.body.auth_token);
  targets.set(id, new CloudTarget(created.body.public_host, id));

  echo = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (req.url?.endsWith('/gone')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Sandbox not found', code: 'SANDBOX_NOT_FOUND' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'planted=1; Path=/' });
    req.resume();
    req.on('end', () => res.end(JSON.stringify({ url: req.url })));
  });
  echoWss = new WebSocketServer({ server: echo });
  echoWss.on('connection', (ws, req) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    ws.on('message', (d) => ws.send(d.toString()));
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  echoPort = (echo.address() as AddressInfo).port;
  targets.set(ECHO_ID, {
    backend: 'odd',
    publicHost: `http://127.0.0.1:${echoPort}/prefix/`,
    token: () => Promise.resolve('odd-upstream-jwt'),
  });

  gw = createGateway({
    host: '127.0.0.1',
    tokens,
    lookup: () => null,
    corsOrigins: [ORIGIN],
    upstream,
    authThrottle: new AuthThrottle(),
    upstreamTimeouts: { responseTimeoutMs: 20_000 },
  });
  const port = await freePort();
  await gw.open(id, port);
  await gw.open(ECHO_ID, await freePort());
  base = `http://127.0.0.1:${port}`;
  engineToken = (await tokens.issue(id)).token;
}, 120_000);

afterAll(async () => {
  await gw?.closeAll();
  echoWss?.close();
  echo?.close();
  await cloud?.dispose();
}, 120_000);

const auth = (t = engineToken) => ({ authorization: `Bearer ${t}` });
const jsonHeaders = { 'content-type': 'application/json' };

async function execute(code: string, headers: Record<string, string> = auth()) {
  const res = await fetch(`${base}/execute`, {
    method: 'POST',
    headers: { ...headers, ...jsonHeaders },
    body: JSON.stringify({ code, language: 'python' }),
  });
  const text = await res.text();
  return { res, text, body: JSON.parse(text) as Record<string, unknown> };
}

/** No cloud token in anything the client received. */
function expectNoCloudToken(res: Response, text: string) {
  for (const t of cloudTokens) {
    expect(text).not.toContain(t);
    for (const [, v] of res.headers) expect(v).not.toContain(t);
  }
}

function openWs(path: string, headers: Record<string, string>, port?: number) {
  const ws = new WebSocket(`ws://127.0.0.1:${port ?? new URL(base).port}${path}`, { headers });
  const frames: Record<string, unknown>[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Record<string, unknown>));
  const closed = new Promise<void>((r) => ws.on('close', () => r()));
  const opened = new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
    ws.once('unexpected-response', (_q, r) => rej(new Error(`status ${r.statusCode}`)));
  });
  return { ws, frames, closed, opened };
}

describe('agent traffic to an upstream sandbox', () => {
  it('runs code with an engine token; the request id crosses; the cloud token never reaches the client', async () => {
    const res = await fetch(`${base}/execute`, {
      method: 'POST',
      headers: { ...auth(), ...jsonHeaders, 'x-request-id': 'req_upstreamagent1' },
      body: JSON.stringify({ code: 'print(6 * 7)', language: 'python' }),
    });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req_upstreamagent1');
    expect((JSON.parse(text) as { stdout: string }).stdout).toBe('42\n');
    expectNoCloudToken(res, text);
    // A cloud token presented to the engine is not an engine token.
    const cloudToken = cloudTokens.at(-1) ?? '';
    const refused = await fetch(`${base}/health`, { headers: auth(cloudToken) });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { code: string }).code).toBe('TOKEN_INVALID');
  });

  it('streams a 20 MiB upload and download through both gateways, byte for byte', async () => {
    const bytes = randomBytes(20 * 1024 * 1024);
    const form = new FormData();
    form.append('file', new Blob([bytes]), 'big.bin');
    form.append('path', '/workspace/big.bin');
    const up = await fetch(`${base}/files/upload`, { method: 'POST', headers: auth(), body: form });
    expect(up.status).toBe(200);
    const down = await fetch(`${base}/files/download?path=/workspace/big.bin`, { headers: auth() });
    expect(down.status).toBe(200);
    const got = Buffer.from(await down.arrayBuffer());
    expect(got.length).toBe(bytes.length);
    expect(createHash('sha256').update(got).digest('hex')).toBe(
      createHash('sha256').update(bytes).digest('hex'),
    );
  }, 120_000);

  it('relays the execute stream and a terminal over WebSockets', async () => {
    const s = openWs('/execute/stream', auth());
    await s.opened;
    s.ws.send(JSON.stringify({ type: 'execute', code: 'for i in range(3):\n  print(i, flush=True)' }));
    await s.closed;
    expect(s.frames[0]?.type).toBe('start');
    expect(s.frames.at(-1)?.type).toBe('complete');
    expect(
      s.frames
        .filter((f) => f.type === 'stdout')
        .map((f) => f.data)
        .join(''),
    ).toBe('0\n1\n2\n');

    // The dashboard's way: Origin + ?token= on the upgrade.
    const t = openWs(`/terminal?token=${engineToken}`, { origin: ORIGIN });
    await t.opened;
    t.ws.send(JSON.stringify({ type: 'input', data: 'echo term-$((40+2))\n' }));
    await expect
      .poll(
        () =>
          t.frames
            .filter((f) => f.type === 'output')
            .map((f) => f.data)
            .join(''),
        { timeout: 20_000 },
      )
      .toContain('term-42');
    t.ws.close();
    await t.closed;
  }, 60_000);

  it('refreshes a cloud token the cloud refuses, once, and retries (HTTP and WebSocket)', async () => {
    const target = targets.get(id) as CloudTarget;
    const forged = await new SandboxTokens(randomBytes(32)).issue(id);
    target.cached = forged.token;
    const before = refreshes;
    const run = await execute('print("after refresh")');
    expect(run.res.status).toBe(200);
    expect(run.body.stdout).toBe('after refresh\n');
    expect(refreshes).toBe(before + 1);

    target.cached = forged.token;
    const s = openWs('/execute/stream', auth());
    await s.opened;
    s.ws.send(JSON.stringify({ type: 'execute', code: 'print("ws ok")' }));
    await s.closed;
    expect(
      s.frames
        .filter((f) => f.type === 'stdout')
        .map((f) => f.data)
        .join(''),
    ).toBe('ws ok\n');
    expect(refreshes).toBe(before + 2);

    // A streamed (large) body cannot be replayed: the client gets the 401, and its own retry works.
    target.cached = forged.token;
    const form = () => {
      const f = new FormData();
      f.append('file', new Blob([randomBytes(2 * 1024 * 1024)]), 'b.bin');
      f.append('path', '/workspace/b.bin');
      return f;
    };
    const first = await fetch(`${base}/files/upload`, { method: 'POST', headers: auth(), body: form() });
    expect(first.status).toBe(401);
    const again = await fetch(`${base}/files/upload`, { method: 'POST', headers: auth(), body: form() });
    expect(again.status).toBe(200);
  }, 60_000);

  it('refuses forged, expired, foreign and smuggled engine tokens before anything goes upstream', async () => {
    const codeOf = async (res: Response) => [res.status, ((await res.json()) as { code: string }).code];
    const forged = await new SandboxTokens(randomBytes(32)).issue(id);
    expect(await codeOf(await fetch(`${base}/health`, { headers: auth(forged.token) }))).toEqual([
      401,
      'TOKEN_INVALID',
    ]);
    const old = await tokens.issue(id, new Date(Date.now() - 25 * 3600 * 1000));
    expect(await codeOf(await fetch(`${base}/health`, { headers: auth(old.token) }))).toEqual([
      401,
      'TOKEN_EXPIRED',
    ]);
    const foreign = await tokens.issue(ECHO_ID);
    expect(await codeOf(await fetch(`${base}/health`, { headers: auth(foreign.token) }))).toEqual([
      401,
      'TOKEN_INVALID',
    ]);
    // ?token= is for WebSocket upgrades only.
    expect(await codeOf(await fetch(`${base}/health?token=${engineToken}`))).toEqual([
      401,
      'AUTHENTICATION_REQUIRED',
    ]);
    await expect(openWs('/execute/stream', auth(forged.token)).opened).rejects.toThrow('status 401');
  });
});

describe('browser and brake, as for local sandboxes', () => {
  it('answers CORS preflights itself and braked forged tokens with 429, never asking the cloud', async () => {
    const pre = await fetch(`${base}/execute`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const evil = await fetch(`${base}/execute`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(evil.status).toBe(403);

    const braked = createGateway({
      host: '127.0.0.1',
      tokens,
      lookup: () => null,
      corsOrigins: [],
      upstream,
      authThrottle: new AuthThrottle({ burst: 3, perMinute: 1 }),
    });
    const port = await freePort();
    await braked.open(id, port);
    try {
      expect((await fetch(`http://127.0.0.1:${port}/health`, { headers: auth() })).status).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const forged = await new SandboxTokens(randomBytes(32)).issue(id);
        statuses.push(
          (await fetch(`http://127.0.0.1:${port}/health`, { headers: auth(forged.token) })).status,
        );
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      // A token already verified keeps working while the address is braked.
      const ok = await fetch(`http://127.0.0.1:${port}/health`, { headers: auth() });
      expect(ok.status).toBe(200);
    } finally {
      await braked.closeAll();
    }
  });
});

describe('what crosses to the upstream agent host', () => {
  let echoBase = '';
  let echoToken = '';
  beforeAll(async () => {
    echoBase = `http://127.0.0.1:${gw.port(ECHO_ID)}`;
    echoToken = (await tokens.issue(ECHO_ID)).token;
  });

  /** A raw request, so the path reaches the gateway exactly as written. */
  function raw(path: string, headers: Record<string, string>) {
    return new Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }>(
      (resolve, reject) => {
        const req = http.request(`${echoBase}`, { path, headers }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        });
        req.on('error', reject);
        req.end();
      },
    );
  }

  it('sends the upstream JWT only; engine tokens, cookies and the origin stay behind; no cookie comes back', async () => {
    seen.length = 0;
    const res = await raw(`/files/list?path=/workspace&token=${echoToken}&%74oken=x&keep=1`, {
      authorization: `Bearer ${echoToken}`,
      cookie: 'hopdeck_session=secret',
      origin: ORIGIN,
      'x-api-key': 'hopdeck_key',
    });
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    const got = seen.at(-1);
    expect(got?.url).toBe('/prefix/files/list?path=/workspace&keep=1');
    expect(got?.headers.authorization).toBe('Bearer odd-upstream-jwt');
    expect(got?.headers.cookie).toBeUndefined();
    expect(got?.headers.origin).toBeUndefined();
    expect(got?.headers['x-api-key']).toBeUndefined();
    expect(got?.headers.host).toBe(`127.0.0.1:${echoPort}`);
    expect(JSON.stringify(got?.headers)).not.toContain(echoToken);

    const ws = openWs(`/terminal?token=${echoToken}`, { origin: ORIGIN }, Number(new URL(echoBase).port));
    await ws.opened;
    const wsSeen = seen.at(-1);
    expect(wsSeen?.url).toBe('/terminal');
    expect(wsSeen?.headers.authorization).toBe('Bearer odd-upstream-jwt');
    expect(wsSeen?.headers.origin).toBeUndefined();
    ws.ws.close();
  });

  it('keeps traversal and host tricks inside the upstream agent host', async () => {
    for (const [path, expected] of [
      ['/../../v1/sandboxes', '/prefix/v1/sandboxes'],
      ['/files/%2e%2e/%2e%2e/etc/passwd', '/prefix/etc/passwd'],
      ['//evil.example/x', '/prefix//evil.example/x'],
    ] as const) {
      seen.length = 0;
      const res = await raw(path, { authorization: `Bearer ${echoToken}` });
      expect(res.status).toBe(200);
      expect(seen[0]?.url).toBe(expected);
      expect(seen[0]?.headers.host).toBe(`127.0.0.1:${echoPort}`);
    }
    const absolute = await raw('http://evil.example/x', { authorization: `Bearer ${echoToken}` });
    expect(absolute.status).toBe(400);
  });

  it('answers a huge header with an envelope and keeps serving', async () => {
    const res = await raw('/health', {
      authorization: `Bearer ${echoToken}`,
      'x-junk': 'a'.repeat(64 * 1024),
    });
    expect([400, 431]).toContain(res.status);
    const ok = await raw('/health', { authorization: `Bearer ${echoToken}` });
    expect(ok.status).toBe(200);
  });

  it('forgets a sandbox the upstream says is gone', async () => {
    const res = await raw('/gone', { authorization: `Bearer ${echoToken}` });
    expect(res.status).toBe(404);
    expect((JSON.parse(res.body) as { code: string }).code).toBe('SANDBOX_NOT_FOUND');
    await expect.poll(() => forgotten).toContain(ECHO_ID);
    // Forgotten: the gateway no longer knows where it is.
    const after = await raw('/health', { authorization: `Bearer ${echoToken}` });
    expect(after.status).toBe(404);
  });
});

describe('faults of the cloud', () => {
  it('a stopped cloud is a 502 envelope naming the backend; it recovers by itself', async () => {
    await cloud.stop();
    const down = await execute('print(1)');
    expect(down.res.status).toBe(502);
    expect(down.body).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      request_id: down.res.headers.get('x-request-id'),
    });
    expect(String(down.body.message)).toContain('cloud');
    await expect(openWs('/execute/stream', auth()).opened).rejects.toThrow('status 502');
    await cloud.start();
    // The cloud gives the running sandbox its agent port again (maybe another one).
    const info = await cloud.call<{ public_host: string }>('GET', `/v1/sandboxes/${id}`);
    (targets.get(id) as CloudTarget).publicHost = info.body.public_host;
    await expect
      .poll(async () => (await execute('print("back")')).body.stdout, { timeout: 30_000 })
      .toBe('back\n');
  }, 120_000);

  it('an upstream agent host that accepts but never answers is a 504 envelope', async () => {
    // A black hole: connections are accepted and never answered (a hung upstream).
    const held: net.Socket[] = [];
    const hole = net.createServer((s) => void held.push(s));
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', () => r()));
    const HUNG = 'sandbox_hungupstream000001';
    targets.set(HUNG, {
      backend: 'hung',
      publicHost: `http://127.0.0.1:${(hole.address() as AddressInfo).port}`,
      token: () => Promise.resolve('hung-jwt'),
    });
    const short = createGateway({
      host: '127.0.0.1',
      tokens,
      lookup: () => null,
      corsOrigins: [],
      upstream,
      upstreamTimeouts: { responseTimeoutMs: 1000 },
    });
    const port = await freePort();
    await short.open(HUNG, port);
    const hungAuth = auth((await tokens.issue(HUNG)).token);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`, { headers: hungAuth });
      expect(res.status).toBe(504);
      expect(await res.json()).toMatchObject({
        code: 'UPSTREAM_TIMEOUT',
        message: expect.stringContaining('hung'),
      });
      await expect(openWs('/execute/stream', hungAuth, port).opened).rejects.toThrow('status 504');
    } finally {
      await short.closeAll();
      for (const s of held) s.destroy();
      hole.close();
    }
  }, 60_000);

  it("a sandbox deleted on the cloud behind the engine's back answers 404 and is forgotten", async () => {
    expect((await cloud.call('DELETE', `/v1/sandboxes/${id}`)).status).toBeLessThan(300);
    const res = await execute('print(1)');
    expect(res.res.status).toBe(404);
    expect(res.body.code).toBe('SANDBOX_NOT_FOUND');
    expect(forgotten).toContain(id);
  }, 60_000);
});
