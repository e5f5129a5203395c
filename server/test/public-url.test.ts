// One public address (issue 13, decision 0013): with a public URL every URL the engine hands out
// names it, and one listening port serves the control plane, `frames.<host>` and each sandbox's
// agent as `7777-<id>.<host>`. The official SDK drives the whole flow through host names only.
import { request } from 'node:http';
import { Sandbox } from '@hopx-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFramesApp } from '../frames/index.ts';
import { startEngine, type TestEngine } from './engine.ts';
import { call, freePort, resolveLocalhostNames } from './host-names.ts';

let restoreLookup: (() => void) | undefined;
let e: TestEngine;
let port: number;
let origin: string;
beforeAll(async () => {
  restoreLookup = resolveLocalhostNames();
  port = await freePort();
  origin = `http://hopdeck.localhost:${port}`;
  e = await startEngine({
    warmPool: 0,
    port,
    publicUrl: origin,
    frames: createFramesApp({ dashboardOrigins: [origin] }),
  });
  await e.app.listen({ host: '127.0.0.1', port });
});
afterAll(async () => {
  await e?.dispose();
  restoreLookup?.();
});

describe('engine with --public-url', () => {
  it('names the frames origin as a sibling host on the same port, and serves it there', async () => {
    const health = JSON.parse((await call(`${origin}/health`)).body) as { frames_origin: string };
    expect(health.frames_origin).toBe(`http://frames.hopdeck.localhost:${port}`);
    const frame = await call(`${health.frames_origin}/frame.html`);
    expect(frame.status).toBe(200);
    expect(String(frame.headers['content-security-policy'])).toContain(`frame-ancestors ${origin}`);
    // The dashboard is not served on the frames host, nor the API.
    expect((await call(`${health.frames_origin}/v1/sandboxes`, { headers: e.auth })).status).toBe(404);
  });

  it('drives the SDK through host names only: create, runCode with a plot, stream, files, commands, kill', async () => {
    const sbx = await Sandbox.create({
      template: 'code-interpreter',
      apiKey: e.apiKey,
      baseURL: origin,
      timeoutSeconds: 600,
    });
    const info = await sbx.getInfo();
    const id = sbx.sandboxId;
    expect(info.publicHost).toBe(`http://7777-${id}.hopdeck.localhost:${port}`);
    const raw = JSON.parse((await call(`${origin}/v1/sandboxes/${id}`, { headers: e.auth })).body) as Record<
      string,
      string
    >;
    expect(raw.direct_url).toBe(raw.public_host);
    expect(raw.preview_url).toBe(`http://8000-${id}.hopdeck.localhost:${port}/`);

    const plot = await sbx.runCode(
      ['import matplotlib.pyplot as plt', 'plt.plot([1, 2, 3], [1, 4, 9])', 'plt.show()'].join('\n'),
    );
    expect(plot.success).toBe(true);
    expect(plot.richOutputs?.some((o) => o.type === 'image/png')).toBe(true);

    const seen: string[] = [];
    for await (const m of sbx.runCodeStream('for i in range(3): print("tick", i, flush=True)')) {
      if (m.type === 'stdout' && typeof m.data === 'string') seen.push(m.data);
    }
    expect(seen.join('')).toContain('tick 2');

    const big = 'x'.repeat(3 * 1024 * 1024);
    await sbx.files.write('/workspace/big.txt', big);
    expect((await sbx.files.read('/workspace/big.txt')).length).toBe(big.length);
    const cmd = await sbx.commands.run('wc -c < /workspace/big.txt');
    expect(cmd.stdout.trim()).toBe(String(big.length));

    await sbx.kill();
    const after = await call(`${origin}/v1/sandboxes/${id}`, { headers: e.auth });
    expect(after.status).toBe(404);
  });

  it('keeps the gateway rules on agent hosts: token, CORS for the dashboard origin only', async () => {
    const created = JSON.parse(
      (
        await call(`${origin}/v1/sandboxes`, {
          method: 'POST',
          headers: { ...e.auth, 'content-type': 'application/json' },
          body: JSON.stringify({ template_name: 'code-interpreter' }),
        })
      ).body,
    ) as { id: string; public_host: string; auth_token: string };
    const agent = created.public_host;
    expect(agent).toBe(`http://7777-${created.id}.hopdeck.localhost:${port}`);

    const anonymous = await call(`${agent}/health`);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({
      code: expect.any(String),
      request_id: expect.any(String),
    });

    const bearer = { authorization: `Bearer ${created.auth_token}` };
    const ok = await call(`${agent}/health`, { headers: { ...bearer, origin } });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(origin);
    const foreign = await call(`${agent}/health`, {
      method: 'OPTIONS',
      headers: { origin: `http://frames.hopdeck.localhost:${port}`, 'access-control-request-method': 'POST' },
    });
    expect(foreign.status).toBe(403);

    // Another sandbox's token, or a malformed sandbox host, gets nothing.
    const other = await call(`http://7777-sandbox_0000000000000000.hopdeck.localhost:${port}/health`, {
      headers: bearer,
    });
    expect(other.status).toBe(401);

    await call(`${origin}/v1/sandboxes/${created.id}`, { method: 'DELETE', headers: e.auth });
  });

  it('session cookie: host-only, and unsafe calls need the public origin', async () => {
    const login = await e.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { host: `hopdeck.localhost:${port}`, origin },
      payload: { api_key: e.apiKey },
    });
    expect(login.statusCode).toBe(200);
    const line = String(login.headers['set-cookie']);
    expect(line).not.toMatch(/Domain=/i);
    const session = line.split(';')[0] ?? '';
    const post = (o: string) =>
      e.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: { host: `hopdeck.localhost:${port}`, origin: o, cookie: session },
        payload: { name: 'x' },
      });
    expect((await post(`http://frames.hopdeck.localhost:${port}`)).statusCode).toBe(403);
    expect((await post(`http://8000-sandbox_0000000000000000.hopdeck.localhost:${port}`)).statusCode).toBe(
      403,
    );
    expect((await post(origin)).statusCode).toBeLessThan(300);
  });

  it('answers odd host names and upgrades with envelopes, and keeps serving', async () => {
    const upgrade = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({
          host: '127.0.0.1',
          port,
          path: '/',
          headers: {
            host,
            connection: 'Upgrade',
            upgrade: 'websocket',
            'sec-websocket-version': '13',
            'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
          },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('upgrade', (_res, socket) => {
          socket.destroy();
          resolve(101);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await upgrade(`7777-sandbox_0123456789abcdef.hopdeck.localhost:${port}`)).toBe(401);
    expect(await upgrade(`frames.hopdeck.localhost:${port}`)).toBe(404);
    expect(await upgrade(`7777-sandbox_x.hopdeck.localhost:${port}`)).toBe(404);
    // A look-alike suffix is not a sandbox host: it reaches the control plane.
    const lookalike = await call(`http://127.0.0.1:${port}/health`, {
      headers: { host: 'x.7777-sandbox_0123456789abcdef.hopdeck.localhost.evil.example' },
    });
    expect(lookalike.status).toBe(200);
    expect((await call(`${origin}/health`)).status).toBe(200);
  });
});
