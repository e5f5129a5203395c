/**
 * The gateway against a scripted upstream (testing/stub-agent.ts), for what a real agent cannot be
 * made to do on demand: leak headers, send garbage or oversized frames, close early. The real agent
 * through the real runtime is covered by gateway.test.ts (integration).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { SandboxTokens } from '../auth/tokens.ts';
import type { Execution, SandboxStatus } from '../../src/api/schemas.ts';
import { createGateway, type Gateway } from './index.ts';
import { startStubAgent, type StubAgent } from './testing/stub-agent.ts';

const ID = 'sandbox_unitgatewaytest1';
const PORT = 7760;
const BASE = `http://127.0.0.1:${PORT}`;
const ORIGIN = 'http://127.0.0.1:7070';

let stub: StubAgent;
let gateway: Gateway;
const tokens = new SandboxTokens(randomBytes(32));
let token = '';
let status: SandboxStatus = 'running';
let socketOverride: string | null = null;
const started: Execution[] = [];
const finished: Execution[] = [];

beforeAll(async () => {
  stub = await startStubAgent();
  token = (await tokens.issue(ID)).token;
  gateway = createGateway({
    host: '127.0.0.1',
    tokens,
    lookup: (id) => (id === ID ? { status, socketPath: socketOverride ?? stub.socketPath } : null),
    history: { start: (e) => void started.push(e), finish: (e) => void finished.push(e) },
    corsOrigins: [ORIGIN],
    jsonBodyLimit: 64 * 1024,
    maxFrameBytes: 1024 * 1024,
  });
  await gateway.open(ID, PORT);
});

afterAll(async () => {
  await gateway?.closeAll();
  await stub?.close();
});

const auth = (t = token) => ({ authorization: `Bearer ${t}` });

async function errorOf(res: Response) {
  const body = (await res.json()) as Record<string, unknown>;
  expect(res.headers.get('x-request-id')).toMatch(/^req_/);
  expect(body.request_id).toBe(res.headers.get('x-request-id'));
  expect(body.message).toBe(body.error);
  return { status: res.status, code: body.code, message: String(body.message) };
}

function openWs(path: string, headers: Record<string, string> = auth()) {
  const ws = new WebSocket(`ws://127.0.0.1:${PORT}${path}`, { headers });
  const frames: string[] = [];
  ws.on('message', (d) => frames.push(d.toString()));
  const closed = new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve({ code })));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const refused = new Promise<number>((resolve) =>
    ws.once('unexpected-response', (_q, r) => resolve(r.statusCode ?? 0)),
  );
  return { ws, frames, closed, opened, refused };
}

describe('gateway auth and state', () => {
  it('rejects missing, forged, foreign and expired tokens with the HopX envelope', async () => {
    expect(await errorOf(await fetch(`${BASE}/health`))).toMatchObject({
      status: 401,
      code: 'AUTHENTICATION_REQUIRED',
    });
    const forged = await new SandboxTokens(randomBytes(32)).issue(ID);
    expect(await errorOf(await fetch(`${BASE}/health`, { headers: auth(forged.token) }))).toMatchObject({
      status: 401,
      code: 'TOKEN_INVALID',
    });
    const other = await tokens.issue('sandbox_someoneelse00001');
    expect(await errorOf(await fetch(`${BASE}/health`, { headers: auth(other.token) }))).toMatchObject({
      status: 401,
      code: 'TOKEN_INVALID',
    });
    const old = await tokens.issue(ID, new Date(Date.now() - 48 * 3600 * 1000));
    const expired = await errorOf(await fetch(`${BASE}/health`, { headers: auth(old.token) }));
    expect(expired).toMatchObject({ status: 401, code: 'TOKEN_EXPIRED' });
    expect(expired.message.toLowerCase()).toContain('token expired');
  });

  it('accepts ?token= only on WebSocket upgrades, and strips it before the agent', async () => {
    const http = await errorOf(await fetch(`${BASE}/health?token=${token}`));
    expect(http).toMatchObject({ status: 401, code: 'AUTHENTICATION_REQUIRED' });
    const c = openWs(`/echo?x=1&token=${token}`, {});
    await c.opened;
    expect(stub.last?.url).toBe('/echo?x=1');
    c.ws.close();
    await c.closed;
  });

  it('answers paused, stopped and deleted sandboxes with clear errors', async () => {
    try {
      status = 'paused';
      const paused = await errorOf(await fetch(`${BASE}/health`, { headers: auth() }));
      expect(paused).toMatchObject({ status: 409, code: 'SANDBOX_PAUSED' });
      expect(paused.message).toMatch(/paused.*resume/i);
      expect(await openWs('/echo').refused).toBe(409);
      status = 'stopped';
      expect(await errorOf(await fetch(`${BASE}/health`, { headers: auth() }))).toMatchObject({
        status: 409,
        code: 'SANDBOX_STOPPED',
      });
      status = 'deleted';
      const gone = await errorOf(await fetch(`${BASE}/health`, { headers: auth() }));
      expect(gone).toMatchObject({ status: 404, message: 'Sandbox not found' });
    } finally {
      status = 'running';
    }
  });

  it('says the agent is unreachable (502) instead of crashing when its socket is gone', async () => {
    try {
      socketOverride = '/nonexistent/agent.sock';
      expect(await errorOf(await fetch(`${BASE}/health`, { headers: auth() }))).toMatchObject({
        status: 502,
        code: 'SERVICE_UNAVAILABLE',
      });
      expect(await openWs('/echo').refused).toBe(502);
    } finally {
      socketOverride = null;
    }
  });
});

describe('gateway HTTP forwarding', () => {
  it('forwards the request without engine credentials or cookies, and sandbox cookies never come back', async () => {
    const res = await fetch(`${BASE}/anything?a=1`, {
      headers: { ...auth(), cookie: 'hopdeck_session=secret', 'x-api-key': 'hopx_live_x', 'x-custom': 'yes' },
    });
    expect(res.status).toBe(200);
    const seen = (await res.json()) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/anything?a=1');
    expect(seen.headers['x-custom']).toBe('yes');
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers['x-api-key']).toBeUndefined();
    expect(seen.headers['x-request-id']).toBe(res.headers.get('x-request-id'));
    const exec = await fetch(`${BASE}/execute`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'noop' }),
    });
    expect(exec.headers.get('set-cookie')).toBeNull();
    expect(exec.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('streams large uploads and downloads, and limits JSON bodies', async () => {
    const upload = Buffer.alloc(8 * 1024 * 1024, 1);
    const up = await fetch(`${BASE}/upload`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/octet-stream' },
      body: upload,
    });
    expect(await up.json()).toEqual({ received: upload.length });
    const down = await fetch(`${BASE}/download?bytes=${20 * 1024 * 1024}`, { headers: auth() });
    expect((await down.arrayBuffer()).byteLength).toBe(20 * 1024 * 1024);
    const big = await fetch(`${BASE}/files/write`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/workspace/a', content: 'z'.repeat(100 * 1024) }),
    });
    expect(await errorOf(big)).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('answers CORS preflights for the dashboard origin only', async () => {
    const ok = await fetch(`${BASE}/execute`, {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(ok.headers.get('access-control-allow-headers')).toContain('Authorization');
    expect(ok.headers.get('access-control-allow-headers')).toContain('X-Request-ID');
    const evil = await fetch(`${BASE}/execute`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.test', 'access-control-request-method': 'POST' },
    });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const real = await fetch(`${BASE}/anything`, { headers: { ...auth(), origin: ORIGIN } });
    expect(real.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(real.headers.get('access-control-expose-headers')).toContain('X-Request-ID');
  });

  it('records POST /execute in the run history with the agent execution id', async () => {
    finished.length = 0;
    const res = await fetch(`${BASE}/execute`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'fail', language: 'python3' }),
    });
    expect(((await res.json()) as { success: boolean }).success).toBe(false);
    await expect.poll(() => finished.length).toBe(1);
    expect(finished[0]).toMatchObject({
      id: 'exec_stubhttp',
      sandbox_id: ID,
      code: 'fail',
      language: 'python',
      status: 'failed',
      stdout: 'ran fail\n',
      exit_code: 1,
      rich_outputs: [{ type: 'image/png', format: 'base64' }],
    });
    expect(finished[0]?.completed_at).toMatch(/Z$/);
  });
});

describe('gateway WebSocket relay', () => {
  it('relays /execute/stream frames in order and records the run', async () => {
    started.length = 0;
    finished.length = 0;
    const c = openWs('/execute/stream');
    await c.opened;
    c.ws.send(JSON.stringify({ type: 'execute', code: 'print(1)', language: 'python' }));
    await expect.poll(() => c.frames.length).toBe(7);
    expect(c.frames.map((f) => (JSON.parse(f) as { type: string }).type)).toEqual([
      'start',
      'stdout',
      'stderr',
      'stdout',
      'rich_output',
      'result',
      'complete',
    ]);
    c.ws.close();
    await c.closed;
    expect(started[0]).toMatchObject({ id: 'exec_stub0001', status: 'running', code: 'print(1)' });
    expect(finished[0]).toMatchObject({
      id: 'exec_stub0001',
      status: 'completed',
      stdout: 'one\n8\n',
      stderr: 'warn\n',
      exit_code: 0,
      rich_outputs: [{ type: 'text/html', data: '<b>x</b>' }],
    });
  });

  it('survives garbage frames and relays them untouched', async () => {
    const c = openWs('/garbage');
    await c.opened;
    c.ws.send('go');
    await expect.poll(() => c.frames.length).toBe(5);
    expect(c.frames[0]).toBe('not json {');
    c.ws.close();
    await c.closed;
  });

  it('cuts both sides on an oversized frame and keeps serving', async () => {
    const c = openWs('/huge');
    await c.opened;
    c.ws.send('go');
    expect((await c.closed).code).toBe(1009);
    const after = await fetch(`${BASE}/anything`, { headers: auth() });
    expect(after.status).toBe(200);
  });

  it('passes the agent closing early to the client, and refusals of the upgrade', async () => {
    const c = openWs('/close-early');
    expect((await c.closed).code).toBe(4001);
    expect(await openWs('/missing').refused).toBe(404);
  });

  it('checks the Origin of browser upgrades', async () => {
    expect(await openWs('/echo', { ...auth(), origin: 'http://evil.test' }).refused).toBe(403);
    const ok = openWs('/echo', { ...auth(), origin: ORIGIN });
    await ok.opened;
    ok.ws.send('ping');
    await expect.poll(() => ok.frames).toEqual(['ping']);
    ok.ws.close();
    await ok.closed;
  });

  it('stops listening on close()', async () => {
    await gateway.close(ID);
    expect(gateway.port(ID)).toBeUndefined();
    await expect(fetch(`${BASE}/health`, { headers: auth() })).rejects.toThrow();
    await gateway.open(ID, PORT);
    expect(gateway.port(ID)).toBe(PORT);
  });
});
