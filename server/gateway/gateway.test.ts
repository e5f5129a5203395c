/**
 * The gateway in front of a real sandbox (bwrap runtime + agent; integration): what an SDK or the dashboard does through a
 * sandbox's public_host, with real tokens, a real kernel and the run history it leaves behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { SandboxTokens } from '../auth/tokens.ts';
import type { Execution, SandboxStatus } from '../../contract/schemas.ts';
import { createGateway, type Gateway } from './index.ts';
import { startRealSandbox, type RealSandbox } from './testing/real-sandbox.ts';

const ID = `sandbox_gwit${process.pid}`;
let PORT = 0;
let BASE = '';
const ORIGIN = 'http://127.0.0.1:7070';

const tokens = new SandboxTokens(randomBytes(32));
let sandbox: RealSandbox;
let gateway: Gateway;
let token = '';
let status: SandboxStatus = 'running';
const started: Execution[] = [];
const finished: Execution[] = [];

beforeAll(async () => {
  sandbox = await startRealSandbox(ID);
  token = (await tokens.issue(ID)).token;
  gateway = createGateway({
    host: '127.0.0.1',
    tokens,
    lookup: (id) => (id === ID ? { status, socketPath: sandbox.socketPath } : null),
    history: { start: (e) => void started.push(e), finish: (e) => void finished.push(e) },
    corsOrigins: [ORIGIN],
  });
  // A free port: a fixed one clashed with the upstream harness's agent ports (7700-7799).
  await gateway.open(ID, 0);
  PORT = gateway.port(ID) ?? 0;
  BASE = `http://127.0.0.1:${PORT}`;
});

afterAll(async () => {
  await gateway?.closeAll();
  await sandbox?.close();
});

const auth = (t = token) => ({ authorization: `Bearer ${t}` });
const json = { 'content-type': 'application/json' };

async function codeOf(res: Response): Promise<[number, unknown]> {
  const body = (await res.json()) as { code?: unknown; request_id?: unknown };
  expect(body.request_id).toBe(res.headers.get('x-request-id'));
  return [res.status, body.code];
}

function stream(path: string, headers: Record<string, string>) {
  const ws = new WebSocket(`ws://127.0.0.1:${PORT}${path}`, { headers });
  const frames: Record<string, unknown>[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Record<string, unknown>));
  const closed = new Promise<void>((r) => ws.on('close', () => r()));
  const opened = new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
  });
  return { ws, frames, closed, opened };
}

describe('gateway with a real agent', () => {
  it('refuses missing, forged, foreign and expired tokens', async () => {
    expect(await codeOf(await fetch(`${BASE}/health`))).toEqual([401, 'AUTHENTICATION_REQUIRED']);
    const forged = await new SandboxTokens(randomBytes(32)).issue(ID);
    expect(await codeOf(await fetch(`${BASE}/health`, { headers: auth(forged.token) }))).toEqual([
      401,
      'TOKEN_INVALID',
    ]);
    const foreign = await tokens.issue('sandbox_another000000001');
    expect(await codeOf(await fetch(`${BASE}/health`, { headers: auth(foreign.token) }))).toEqual([
      401,
      'TOKEN_INVALID',
    ]);
    const old = await tokens.issue(ID, new Date(Date.now() - 25 * 3600 * 1000));
    expect(await codeOf(await fetch(`${BASE}/health`, { headers: auth(old.token) }))).toEqual([
      401,
      'TOKEN_EXPIRED',
    ]);
    expect(await codeOf(await fetch(`${BASE}/health?token=${token}`))).toEqual([
      401,
      'AUTHENTICATION_REQUIRED',
    ]);
  });

  it('forwards HTTP: health, execute with kernel state, files', async () => {
    const health = await fetch(`${BASE}/health`, { headers: auth() });
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('healthy');
    expect(health.headers.get('x-request-id')).toMatch(/^req_/);
    const run = async (code: string) =>
      (await (
        await fetch(`${BASE}/execute`, {
          method: 'POST',
          headers: { ...auth(), ...json },
          body: JSON.stringify({ code }),
        })
      ).json()) as { stdout: string; success: boolean };
    await run('x = 41');
    expect(await run('print(x + 1)')).toMatchObject({ stdout: '42\n', success: true });
    const write = await fetch(`${BASE}/files/write`, {
      method: 'POST',
      headers: { ...auth(), ...json },
      body: JSON.stringify({ path: '/workspace/hello.txt', content: 'through the gateway' }),
    });
    expect(write.status).toBe(200);
    const read = await fetch(`${BASE}/files/read?path=/workspace/hello.txt`, { headers: auth() });
    expect(((await read.json()) as { content: string }).content).toBe('through the gateway');
  });

  it('relays /execute/stream frames in order, with the token in the query string', async () => {
    const s = stream(`/execute/stream?token=${token}`, { origin: ORIGIN });
    await s.opened;
    s.ws.send(
      JSON.stringify({
        type: 'execute',
        code: 'import time\nfor i in range(5):\n  print(i, flush=True)\n  time.sleep(0.06)',
      }),
    );
    await s.closed;
    const types = s.frames.map((f) => f.type);
    expect(types[0]).toBe('start');
    expect(types.slice(-2)).toEqual(['result', 'complete']);
    const chunks = s.frames.filter((f) => f.type === 'stdout').map((f) => f.data);
    // Several chunks (the agent coalesces for 16 ms only), reassembled in the order they were printed.
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks.join('')).toBe('0\n1\n2\n3\n4\n');
  });

  it('records both execute paths in the run history, with the agent execution ids', async () => {
    started.length = 0;
    finished.length = 0;
    const res = await fetch(`${BASE}/execute`, {
      method: 'POST',
      headers: { ...auth(), ...json },
      body: JSON.stringify({ code: 'print("hist")', language: 'python' }),
    });
    const body = (await res.json()) as { execution_id: string };
    await expect
      .poll(() => finished.find((e) => e.id === body.execution_id))
      .toMatchObject({
        status: 'completed',
        stdout: 'hist\n',
        code: 'print("hist")',
        exit_code: 0,
      });
    const s = stream('/execute/stream', auth());
    await s.opened;
    s.ws.send(JSON.stringify({ type: 'execute', code: 'echo streamed; exit 3', language: 'bash' }));
    await s.closed;
    const startFrame = s.frames.find((f) => f.type === 'start');
    await expect
      .poll(() => finished.find((e) => e.id === startFrame?.execution_id))
      .toMatchObject({
        language: 'bash',
        status: 'failed',
        stdout: 'streamed\n',
        exit_code: 3,
      });
    expect(started.map((e) => e.id)).toContain(startFrame?.execution_id);
  });

  it('answers CORS preflights for the dashboard', async () => {
    const res = await fetch(`${BASE}/execute`, {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/Authorization.*Content-Type/);
  });

  it('answers a paused sandbox at once with a clear error, and serves it again after resume', async () => {
    await sandbox.pause();
    status = 'paused';
    try {
      const t0 = performance.now();
      const res = await fetch(`${BASE}/health`, { headers: auth() });
      expect(performance.now() - t0).toBeLessThan(1000);
      const body = (await res.json()) as { code: string; message: string };
      expect(res.status).toBe(409);
      expect(body.code).toBe('SANDBOX_PAUSED');
      expect(body.message).toMatch(/paused/);
    } finally {
      await sandbox.resume();
      status = 'running';
    }
    expect((await fetch(`${BASE}/health`, { headers: auth() })).status).toBe(200);
  });
});
