/**
 * The gateway's HTTP side against a scripted upstream (testing/stub-agent.ts), for what a real agent
 * cannot be made to do on demand: leak headers and cookies, send a broken response, vanish. The real
 * sandbox is covered by gateway.test.ts (integration).
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { SandboxTokens } from '../auth/tokens.ts';
import { ORIGIN, errorOf, openWs, useStubGateway } from './testing/stub-fixture.ts';

const fx = useStubGateway('sandbox_unitgatewayhttp1');

describe('gateway auth and state', () => {
  it('rejects missing, forged, foreign and expired tokens with the HopX envelope', async () => {
    expect(await errorOf(await fetch(`${fx.base}/health`))).toMatchObject({
      status: 401,
      code: 'AUTHENTICATION_REQUIRED',
    });
    const forged = await new SandboxTokens(randomBytes(32)).issue(fx.id);
    expect(await errorOf(await fetch(`${fx.base}/health`, { headers: fx.auth(forged.token) }))).toMatchObject(
      {
        status: 401,
        code: 'TOKEN_INVALID',
      },
    );
    const other = await fx.tokens.issue('sandbox_someoneelse00001');
    expect(await errorOf(await fetch(`${fx.base}/health`, { headers: fx.auth(other.token) }))).toMatchObject({
      status: 401,
      code: 'TOKEN_INVALID',
    });
    const old = await fx.tokens.issue(fx.id, new Date(Date.now() - 48 * 3600 * 1000));
    const expired = await errorOf(await fetch(`${fx.base}/health`, { headers: fx.auth(old.token) }));
    expect(expired).toMatchObject({ status: 401, code: 'TOKEN_EXPIRED' });
    expect(expired.message.toLowerCase()).toContain('token expired');
  });

  it('accepts ?token= only on WebSocket upgrades, and strips it before the agent', async () => {
    const http = await errorOf(await fetch(`${fx.base}/health?token=${fx.token}`));
    expect(http).toMatchObject({ status: 401, code: 'AUTHENTICATION_REQUIRED' });
    const c = openWs(fx.port, `/echo?x=1&token=${fx.token}`, {});
    await c.opened;
    expect(fx.stub.last?.url).toBe('/echo?x=1');
    c.ws.close();
    await c.closed;
  });

  it('answers paused, stopped and deleted sandboxes with clear errors', async () => {
    try {
      fx.status = 'paused';
      const paused = await errorOf(await fetch(`${fx.base}/health`, { headers: fx.auth() }));
      expect(paused).toMatchObject({ status: 409, code: 'SANDBOX_PAUSED' });
      expect(paused.message).toMatch(/paused.*resume/i);
      expect(await openWs(fx.port, '/echo', fx.auth()).refused).toBe(409);
      fx.status = 'stopped';
      expect(await errorOf(await fetch(`${fx.base}/health`, { headers: fx.auth() }))).toMatchObject({
        status: 409,
        code: 'SANDBOX_STOPPED',
      });
      fx.status = 'deleted';
      const gone = await errorOf(await fetch(`${fx.base}/health`, { headers: fx.auth() }));
      expect(gone).toMatchObject({ status: 404, message: 'Sandbox not found' });
    } finally {
      fx.status = 'running';
    }
  });

  it('says the agent is unreachable (502) instead of crashing when its socket is gone', async () => {
    try {
      fx.socketOverride = '/nonexistent/agent.sock';
      expect(await errorOf(await fetch(`${fx.base}/health`, { headers: fx.auth() }))).toMatchObject({
        status: 502,
        code: 'SERVICE_UNAVAILABLE',
      });
      expect(await openWs(fx.port, '/echo', fx.auth()).refused).toBe(502);
    } finally {
      fx.socketOverride = null;
    }
  });
});

describe('gateway HTTP forwarding', () => {
  it('forwards the request without engine credentials or cookies, and sandbox cookies never come back', async () => {
    const res = await fetch(`${fx.base}/anything?a=1`, {
      headers: {
        ...fx.auth(),
        cookie: 'hopdeck_session=secret',
        'x-api-key': 'hopx_live_x',
        'x-custom': 'yes',
      },
    });
    expect(res.status).toBe(200);
    const seen = (await res.json()) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/anything?a=1');
    expect(seen.headers['x-custom']).toBe('yes');
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers['x-api-key']).toBeUndefined();
    expect(seen.headers['x-request-id']).toBe(res.headers.get('x-request-id'));
    const exec = await fetch(`${fx.base}/execute`, {
      method: 'POST',
      headers: { ...fx.auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'noop' }),
    });
    expect(exec.headers.get('set-cookie')).toBeNull();
    expect(exec.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a broken agent response or a malformed request with an envelope, and keeps serving', async () => {
    expect(await errorOf(await fetch(`${fx.base}/raw-bad`, { headers: fx.auth() }))).toMatchObject({
      status: 502,
    });
    const raw = await new Promise<string>((resolve) => {
      const sock = connect(fx.port, '127.0.0.1', () =>
        sock.write('GET /x HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n'),
      );
      let text = '';
      sock.on('data', (d) => (text += d.toString()));
      sock.on('close', () => resolve(text));
    });
    expect(raw).toMatch(/^HTTP\/1.1 400/);
    expect(raw).toMatch(/X-Request-ID: req_/);
    expect((await fetch(`${fx.base}/anything`, { headers: fx.auth() })).status).toBe(200);
  });

  it('streams large uploads and downloads, and limits JSON bodies', async () => {
    const upload = Buffer.alloc(8 * 1024 * 1024, 1);
    const up = await fetch(`${fx.base}/upload`, {
      method: 'POST',
      headers: { ...fx.auth(), 'content-type': 'application/octet-stream' },
      body: upload,
    });
    expect(await up.json()).toEqual({ received: upload.length });
    const down = await fetch(`${fx.base}/download?bytes=${20 * 1024 * 1024}`, { headers: fx.auth() });
    expect((await down.arrayBuffer()).byteLength).toBe(20 * 1024 * 1024);
    const big = await fetch(`${fx.base}/files/write`, {
      method: 'POST',
      headers: { ...fx.auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/workspace/a', content: 'z'.repeat(100 * 1024) }),
    });
    expect(await errorOf(big)).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    // 28 MiB through a loopback pipe: seconds on a loaded 2-CPU machine, over vitest's default 5 s.
  }, 30_000);

  it('counts a chunked JSON body too, answering 413 once it passes the limit', async () => {
    const chunk = new TextEncoder().encode('z'.repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        // Up to 1 MiB, far past the 64 KiB limit; the gateway must stop it long before the end.
        if (sent >= 64) return c.close();
        sent += 1;
        c.enqueue(chunk);
      },
    });
    const res = await fetch(`${fx.base}/files/write`, {
      method: 'POST',
      headers: { ...fx.auth(), 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(await errorOf(res)).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect((await fetch(`${fx.base}/anything`, { headers: fx.auth() })).status).toBe(200);
  });

  it('dates a synchronous run from its request, although it is recorded when it ends', async () => {
    fx.finished.length = 0;
    await fetch(`${fx.base}/execute`, {
      method: 'POST',
      headers: { ...fx.auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'slow' }),
    });
    await expect.poll(() => fx.finished.length).toBe(1);
    const run = fx.finished[0] as { created_at: string; completed_at: string; id: string };
    expect(run.id).toMatch(/^exec_/);
    expect(Date.parse(run.completed_at) - Date.parse(run.created_at)).toBeGreaterThanOrEqual(1000);
  });

  it('answers CORS preflights for the dashboard origin only', async () => {
    const ok = await fetch(`${fx.base}/execute`, {
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
    const evil = await fetch(`${fx.base}/execute`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.test', 'access-control-request-method': 'POST' },
    });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const real = await fetch(`${fx.base}/anything`, { headers: { ...fx.auth(), origin: ORIGIN } });
    expect(real.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(real.headers.get('access-control-expose-headers')).toContain('X-Request-ID');
  });

  it('records POST /execute in the run history with the agent execution id', async () => {
    fx.finished.length = 0;
    const res = await fetch(`${fx.base}/execute`, {
      method: 'POST',
      headers: { ...fx.auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'fail', language: 'python3' }),
    });
    expect(((await res.json()) as { success: boolean }).success).toBe(false);
    await expect.poll(() => fx.finished.length).toBe(1);
    expect(fx.finished[0]).toMatchObject({
      id: 'exec_stubhttp',
      sandbox_id: fx.id,
      code: 'fail',
      language: 'python',
      status: 'failed',
      stdout: 'ran fail\n',
      exit_code: 1,
      rich_outputs: [{ type: 'image/png', format: 'base64' }],
    });
    expect(fx.finished[0]?.completed_at).toMatch(/Z$/);
  });
});
