// Upstream mode, control plane (decision 0014): an engine in front of a second real engine playing
// the cloud. Sandboxes and templates through the engine, lifecycle, merged lists with opaque
// cursors, the backend filter, where creates go, and the cloud's key and JWT never reaching a client.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxTokens } from '../auth/tokens.ts';
import { jwtSecret } from '../store/settings.ts';
import { startEngine, type TestEngine } from './engine.ts';
import { startUpstream, type Upstream } from './upstream-harness.ts';

let cloud: Upstream;
let engine: TestEngine;
const logs: string[] = [];
/** Every body and header block the engine sent in this file (the key must be in none). */
const seen: string[] = [];

type Obj = Record<string, unknown>;
interface Reply<T = Obj> {
  status: number;
  headers: Headers;
  body: T;
}

async function api<T = Obj>(method: string, path: string, body?: unknown): Promise<Reply<T>> {
  const res = await fetch(`${engine.baseUrl}${path}`, {
    method,
    headers: { ...engine.auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  seen.push(text, JSON.stringify([...res.headers]));
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as T };
}

/** A GET whose path is sent as written (fetch and URL would resolve the dot segments first). */
function rawGet(path: string): Promise<{ status: number; body: Obj }> {
  const { port } = new URL(engine.baseUrl!);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: engine.auth }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        seen.push(text);
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Obj });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  cloud = await startUpstream();
  engine = await startEngine({
    upstreams: [{ name: 'cloud', url: cloud.url, apiKey: cloud.apiKey }],
    logger: { level: 'debug', stream: { write: (line: string) => void logs.push(line) } },
  });
  await engine.listen();
}, 120_000);

afterAll(async () => {
  await engine?.dispose();
  await cloud?.dispose();
});

describe('upstream mode: the control plane', () => {
  let upId = '';
  let localId = '';

  it('lists the backends with their health, the upstream by URL only', async () => {
    await engine.app.engine.backends.probe();
    const r = await api<{ data: Obj[] }>('GET', '/v1/backends');
    expect(r.status).toBe(200);
    expect(r.body.data.map((b) => [b.name, b.kind, b.default])).toEqual([
      ['local', 'local', false],
      ['cloud', 'upstream', true],
    ]);
    expect(r.body.data[1]).toMatchObject({ url: cloud.url, status: 'ok', message: null });
    expect(r.body.data[1]!.latency_ms).toEqual(expect.any(Number));
    const health = await api('GET', '/health');
    expect(health.body).toMatchObject({ mode: 'upstream', upstream: cloud.url });
    const anon = await fetch(`${engine.baseUrl}/v1/backends`);
    expect(anon.status).toBe(401);
  });

  it('creates on the default backend (the upstream) and hands out the engine URL and token', async () => {
    const r = await api('POST', '/v1/sandboxes', { template_name: 'code-interpreter' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ backend: 'cloud', status: 'running' });
    upId = r.body.id as string;
    // The cloud has it; the engine's own store does not.
    expect((await cloud.call('GET', `/v1/sandboxes/${upId}`)).status).toBe(200);
    expect(engine.store.db.prepare('SELECT id FROM sandboxes WHERE id = ?').get(upId)).toBeUndefined();
    // public_host is the engine's gateway port, not the cloud's; the token is the engine's.
    const publicHost = r.body.public_host as string;
    expect(publicHost).toMatch(/^http:\/\/127\.0\.0\.1:7[56]\d\d$/);
    expect(r.body.direct_url).toBe(publicHost);
    const tokens = new SandboxTokens(jwtSecret(engine.store.db));
    expect(await tokens.verify(r.body.auth_token as string, upId)).toEqual({ ok: true, sandboxId: upId });
    // The same token again on GET, as for local sandboxes.
    const g = await api('GET', `/v1/sandboxes/${upId}`);
    expect(g.status).toBe(200);
    expect(g.body).toMatchObject({ id: upId, backend: 'cloud', public_host: publicHost });
    expect(g.body.auth_token).toBe(r.body.auth_token);
    // Code runs there through the engine's gateway port with the engine's token (U2's gateway).
    const run = await fetch(`${publicHost}/execute`, {
      method: 'POST',
      headers: { authorization: `Bearer ${r.body.auth_token as string}`, 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'python', code: 'print(6 * 7)' }),
    });
    expect(run.status).toBe(200);
    expect(((await run.json()) as { stdout: string }).stdout).toBe('42\n');
  });

  it('creates locally when asked, and refuses a backend it does not have', async () => {
    const r = await api('POST', '/v1/sandboxes', { template_name: 'code-interpreter', backend: 'local' });
    expect(r.status).toBe(201);
    expect(r.body.backend).toBe('local');
    localId = r.body.id as string;
    const bad = await api('POST', '/v1/sandboxes', { template_name: 'code-interpreter', backend: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_REQUEST', request_id: expect.any(String) });
    expect(bad.body.message).toMatch(/Unknown backend "nope".*local, cloud/);
    const badList = await api('GET', '/v1/sandboxes?backend=nope');
    expect(badList.status).toBe(400);
    expect(badList.body.code).toBe('INVALID_REQUEST');
  });

  it('forwards the lifecycle, timeouts and token refresh of an upstream sandbox', async () => {
    const paused = await api('POST', `/v1/sandboxes/${upId}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ id: upId, status: 'paused', backend: 'cloud' });
    expect((await cloud.call('GET', `/v1/sandboxes/${upId}`)).body.status).toBe('paused');
    const resumed = await api('POST', `/v1/sandboxes/${upId}/resume`);
    expect(resumed.body).toMatchObject({ status: 'running', backend: 'cloud' });
    const t = await api('PUT', `/v1/sandboxes/${upId}/timeout`, { timeout_seconds: 900 });
    expect(t.status).toBe(200);
    expect(t.body.timeout_seconds).toBe(900);
    const before = (await api('GET', `/v1/sandboxes/${upId}`)).body.auth_token;
    await new Promise((r) => setTimeout(r, 1100)); // a new token has a later iat (whole seconds)
    const refreshed = await api('POST', `/v1/sandboxes/${upId}/token/refresh`);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.auth_token).not.toBe(before);
    const tokens = new SandboxTokens(jwtSecret(engine.store.db));
    expect((await tokens.verify(refreshed.body.auth_token as string, upId)).ok).toBe(true);
    // The upstream's own error envelope and request id come through (409: resume a running one).
    const conflict = await api('POST', `/v1/sandboxes/${upId}/resume`);
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({
      code: 'CONFLICT',
      status: 'running',
      request_id: expect.any(String),
    });
    expect(conflict.headers.get('x-request-id')).toBe(conflict.body.request_id);
  });

  it("keeps an upstream sandbox's URL, token and gateway port across an engine restart", async () => {
    const before = await api('GET', `/v1/sandboxes/${upId}`);
    await engine.stop();
    engine = await startEngine({
      dataDir: engine.dataDir,
      apiKey: engine.apiKey,
      upstreams: [{ name: 'cloud', url: cloud.url, apiKey: cloud.apiKey }],
      logger: { level: 'debug', stream: { write: (line: string) => void logs.push(line) } },
    });
    await engine.listen();
    const after = await api('GET', `/v1/sandboxes/${upId}`);
    expect(after.body).toMatchObject({
      public_host: before.body.public_host,
      auth_token: before.body.auth_token,
      backend: 'cloud',
    });
    const run = await fetch(`${after.body.public_host as string}/execute`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${after.body.auth_token as string}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ language: 'python', code: 'print("again")' }),
    });
    expect(((await run.json()) as { stdout: string }).stdout).toBe('again\n');
  });

  it('merges lists across backends behind one opaque cursor, and filters by backend', async () => {
    const all: Obj[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page: Reply<{ data: Obj[]; has_more: boolean; next_cursor: string | null }> = await api(
        'GET',
        `/v1/sandboxes?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body).not.toHaveProperty('unavailable_backends');
      all.push(...page.body.data);
      if (!page.body.has_more) break;
      cursor = page.body.next_cursor;
      expect(cursor).toEqual(expect.any(String));
    }
    expect(all.map((s) => [s.id, s.backend])).toEqual([
      [localId, 'local'],
      [upId, 'cloud'],
    ]);
    const onlyCloud = await api<{ data: Obj[] }>('GET', '/v1/sandboxes?backend=cloud');
    expect(onlyCloud.body.data.map((s) => s.id)).toEqual([upId]);
    const onlyLocal = await api<{ data: Obj[] }>('GET', '/v1/sandboxes?backend=local');
    expect(onlyLocal.body.data.map((s) => s.id)).toEqual([localId]);
    // A forged cursor is a 400, not a crash or another backend's page.
    const forged = Buffer.from(JSON.stringify({ b: 'elsewhere', c: null })).toString('base64url');
    const bad = await api('GET', `/v1/sandboxes?cursor=${forged}`);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_REQUEST');
  });

  it('lists and gets templates of every backend, each saying where it comes from', async () => {
    const list = await api<{ data: Obj[]; has_more: boolean }>('GET', '/v1/templates?limit=100');
    expect(list.status).toBe(200);
    const backends = new Set(list.body.data.map((t) => t.backend));
    expect(backends).toEqual(new Set(['local', 'cloud']));
    const one = await api('GET', '/v1/templates/code-interpreter?backend=cloud');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ name: 'code-interpreter', backend: 'cloud' });
    const local = await api('GET', '/v1/templates/code-interpreter');
    expect(local.body.backend).toBe('local');
    const missing = await api('GET', '/v1/templates/no-such-template');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('RESOURCE_NOT_FOUND');
  });

  it('answers 404 for an id no backend has, and forgets a sandbox deleted behind its back', async () => {
    const none = await api('GET', '/v1/sandboxes/doesnotexist123');
    expect(none.status).toBe(404);
    expect(none.body.code).toBe('RESOURCE_NOT_FOUND');
    const c = await api('POST', '/v1/sandboxes', { template_name: 'code-interpreter' });
    const goneId = c.body.id as string;
    expect((await cloud.call('DELETE', `/v1/sandboxes/${goneId}`)).status).toBe(200);
    const g = await api('GET', `/v1/sandboxes/${goneId}`);
    expect(g.status).toBe(404);
    expect(
      engine.store.db.prepare('SELECT id FROM upstream_sandboxes WHERE id = ?').get(goneId),
    ).toBeUndefined();
    const list = await api<{ data: Obj[] }>('GET', '/v1/sandboxes?backend=cloud');
    expect(list.body.data.map((s) => s.id)).not.toContain(goneId);
  });

  it('refuses paths that would reach another upstream route (dot segments, odd ids)', async () => {
    for (const path of [
      `/v1/sandboxes/${upId}/executions/..`,
      `/v1/sandboxes/${upId}/executions/%2e%2e`,
      `/v1/sandboxes/${upId}/ports/%2E%2E`,
      '/v1/sandboxes/../executions',
      '/v1/sandboxes/%2e%2e/executions',
    ]) {
      const r = await rawGet(path);
      expect([400, 404]).toContain(r.status);
      expect(r.body).toMatchObject({ code: expect.any(String), request_id: expect.any(String) });
      expect(r.body).not.toHaveProperty('auth_token');
    }
  });

  it('kills an upstream sandbox through the engine', async () => {
    const k = await api('DELETE', `/v1/sandboxes/${upId}`);
    expect(k.status).toBe(200);
    expect((await cloud.call('GET', `/v1/sandboxes/${upId}`)).status).toBe(404);
    expect((await api('GET', `/v1/sandboxes/${upId}`)).status).toBe(404);
  });

  it('never shows the cloud key or the cloud JWT to a client, nor writes the key to the log', async () => {
    const cloudJwt = (await cloud.call('POST', '/v1/sandboxes', { template_name: 'code-interpreter' })).body;
    const viaEngine = await api('GET', `/v1/sandboxes/${cloudJwt.id as string}`);
    expect(viaEngine.status).toBe(200);
    expect(viaEngine.body.auth_token).not.toBe(cloudJwt.auth_token);
    const everything = seen.join('\n');
    expect(everything).not.toContain(cloud.apiKey);
    expect(everything).not.toContain(cloudJwt.auth_token as string);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('')).not.toContain(cloud.apiKey);
    await api('DELETE', `/v1/sandboxes/${cloudJwt.id as string}`);
  });
});
