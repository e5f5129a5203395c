// Upstream mode, faults (decision 0014): an upstream that is down, hung or rate limiting. The
// engine answers with the HopX envelope naming the backend, keeps serving local sandboxes, shows
// the state in /v1/backends, and recovers by itself when the upstream is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type TestEngine } from './engine.ts';
import { startUpstream, type Upstream } from './upstream-harness.ts';

let cloud: Upstream;
let limited: Upstream;
let engine: TestEngine;

type Obj = Record<string, unknown>;

async function api<T = Obj>(method: string, path: string, body?: unknown) {
  const res = await fetch(`${engine.baseUrl}${path}`, {
    method,
    headers: { ...engine.auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as T };
}

const backend = async (name: string) =>
  (await api<{ data: Obj[] }>('GET', '/v1/backends')).body.data.find((b) => b.name === name)!;

beforeAll(async () => {
  // `limited` allows 3 requests a minute: the engine's first probe takes one.
  [cloud, limited] = await Promise.all([
    startUpstream(),
    startUpstream({ rateLimit: 3, agentPorts: [7800, 7849] }),
  ]);
  engine = await startEngine({
    upstreams: [
      { name: 'cloud', url: cloud.url, apiKey: cloud.apiKey },
      { name: 'limited', url: limited.url, apiKey: limited.apiKey },
    ],
    upstreamTimeoutMs: 4000,
    probeIntervalMs: 60_000,
  });
  await engine.listen();
}, 120_000);

afterAll(async () => {
  cloud?.thaw();
  await engine?.dispose();
  await Promise.all([cloud?.dispose(), limited?.dispose()]);
});

describe('upstream mode: faults', () => {
  let upId = '';
  let localId = '';

  it('answers 502 naming the backend while the upstream is down, and recovers by itself', async () => {
    const created = await api('POST', '/v1/sandboxes', { template_name: 'code-interpreter' });
    expect(created.body.backend).toBe('cloud');
    upId = created.body.id as string;
    localId = (await api('POST', '/v1/sandboxes', { template_name: 'code-interpreter', backend: 'local' }))
      .body.id as string;

    await cloud.stop();
    const g = await api('GET', `/v1/sandboxes/${upId}`);
    expect(g.status).toBe(502);
    expect(g.body).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', request_id: expect.any(String) });
    expect(g.body.message).toMatch(/Backend "cloud" is unavailable/);
    // The list still answers with the local sandboxes and names what is missing.
    const list = await api<{ data: Obj[]; unavailable_backends: Obj[] }>('GET', '/v1/sandboxes');
    expect(list.status).toBe(200);
    expect(list.body.data.map((s) => s.id)).toContain(localId);
    expect(list.body.unavailable_backends).toEqual([
      { name: 'cloud', message: expect.stringMatching(/cloud/) },
    ]);
    // One backend asked by name and down: the 502 itself.
    expect((await api('GET', '/v1/sandboxes?backend=cloud')).status).toBe(502);
    // Creates there fail with the envelope; local work goes on.
    const failed = await api('POST', '/v1/sandboxes', { template_name: 'code-interpreter' });
    expect(failed.status).toBe(502);
    expect(failed.body.code).toBe('UPSTREAM_UNAVAILABLE');
    expect((await api('GET', `/v1/sandboxes/${localId}`)).status).toBe(200);
    expect(await backend('cloud')).toMatchObject({ status: 'down', latency_ms: null });
    const health = await fetch(`${engine.baseUrl}/health`);
    expect(health.status).toBe(200);

    await cloud.start();
    await engine.app.engine.backends.probe();
    expect(await backend('cloud')).toMatchObject({ status: 'ok', message: null });
    const back = await api('GET', `/v1/sandboxes/${upId}`);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ id: upId, backend: 'cloud', status: 'running' });
  });

  it('answers 504 when the upstream hangs, and serves again once it answers', async () => {
    cloud.freeze();
    try {
      const g = await api('GET', `/v1/sandboxes/${upId}`);
      expect(g.status).toBe(504);
      expect(g.body).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
      expect(g.body.message).toMatch(/Backend "cloud" did not answer within 4 s/);
      expect((await api('GET', `/v1/sandboxes/${localId}`)).status).toBe(200);
      // A merged list does not wait longer than that for the silent backend.
      const list = await api<{ data: Obj[]; unavailable_backends: Obj[] }>('GET', '/v1/sandboxes');
      expect(list.status).toBe(200);
      expect(list.body.data.map((s) => s.id)).toContain(localId);
      expect(list.body.unavailable_backends).toEqual(
        expect.arrayContaining([{ name: 'cloud', message: expect.stringMatching(/"cloud" did not answer/) }]),
      );
    } finally {
      cloud.thaw();
    }
    expect((await api('GET', `/v1/sandboxes/${upId}`)).status).toBe(200);
  });

  it("passes the upstream's 429 through with Retry-After and its rate-limit headers", async () => {
    let r: Awaited<ReturnType<typeof api>> | null = null;
    for (let i = 0; i < 8; i++) {
      r = await api('GET', '/v1/sandboxes?backend=limited');
      if (r.status === 429) break;
      expect(r.status).toBe(200);
    }
    expect(r?.status).toBe(429);
    expect(r!.body).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', retry_after: expect.any(Number) });
    expect(Number(r!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(r!.headers.get('x-ratelimit-limit')).toBe('3');
    // The merged list still answers, naming the limited backend.
    const merged = await api<{ unavailable_backends: Obj[] }>('GET', '/v1/sandboxes');
    expect(merged.status).toBe(200);
    expect(merged.body.unavailable_backends).toEqual([
      { name: 'limited', message: expect.stringMatching(/limited.*429/) },
    ]);
  });

  it('kills the upstream sandbox (clean-up through the engine)', async () => {
    expect((await api('POST', `/v1/sandboxes/${upId}/kill`)).status).toBe(200);
    expect((await cloud.call('GET', `/v1/sandboxes/${upId}`)).status).toBe(404);
  });
});
