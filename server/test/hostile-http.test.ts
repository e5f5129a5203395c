/**
 * Hostile HTTP against the real engine (issue 12, items 5, 6 and 13): bytes a process cannot take
 * in env vars, brute force on keys, sessions, sign-in links and sandbox tokens, and oversized bodies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorEnvelope, Sandbox } from '../../contract/schemas.ts';
import { countSandboxes } from '../store/sandboxes.ts';
import { json, startEngine, type TestEngine } from './engine.ts';

let e: TestEngine;
let base: string;
beforeAll(async () => {
  // A 4 MiB agent body limit keeps 30 oversized uploads through the gateway quick.
  e = await startEngine({ agentJsonLimit: 4 * 1024 * 1024 });
  base = await e.listen();
});
afterAll(async () => {
  await e?.dispose();
});

const WRONG = 'hopx_live_AAAAAAAAAAAA.wrong-wrong-wrong-wrong';
/** Failures an address may make: the burst (20) plus what refills (20/min) while the test runs. */
const allowedSince = (start: number) => 20 + Math.ceil(((Date.now() - start) / 60_000) * 20);
const total = () => countSandboxes(e.store.db).total;

describe('env vars a process cannot take (item 5)', () => {
  const create = (raw: string, remoteAddress = '198.51.100.5') =>
    e.app.inject({
      method: 'POST',
      url: '/v1/sandboxes',
      headers: { ...e.auth, 'content-type': 'application/json' },
      payload: raw,
      remoteAddress,
    });

  it.each([
    ['a NUL in a value', '{"A":"x\\u0000y"}', /NUL/],
    ['a NUL in a name', '{"A\\u0000B":"x"}', /names use letters, digits and _/],
    ['an unpaired surrogate in a value', '{"A":"\\ud800"}', /valid UTF-8/],
    ['a name starting with a digit', '{"1A":"x"}', /names use letters, digits and _/],
  ])('refuses %s at create with 400 and stores nothing', async (_what, env, message) => {
    const before = total();
    const res = await create(`{"template_name":"ubuntu","env_vars":${env}}`);
    expect(res.statusCode).toBe(400);
    const body = ErrorEnvelope.parse(json(res));
    expect(body.code).toBe('INVALID_REQUEST');
    expect(body.message).toMatch(message);
    expect(body.message).toMatch(/^Invalid body: env_vars\./);
    expect(total()).toBe(before);
  });
});

describe('failed authentication is throttled per client address (item 6)', () => {
  const wrongKey = (remoteAddress: string) =>
    e.app.inject({ url: '/v1/templates', headers: { 'x-api-key': WRONG }, remoteAddress });

  it('answers 429 with Retry-After after a bounded burst of wrong keys; others are unaffected', async () => {
    const attacker = '203.0.113.7';
    // The key was in use from this address before the attack: it keeps working during it.
    expect(
      (await e.app.inject({ url: '/v1/templates', headers: e.auth, remoteAddress: attacker })).statusCode,
    ).toBe(200);
    const codes: number[] = [];
    for (let i = 0; i < 200; i++) codes.push((await wrongKey(attacker)).statusCode);
    const refused = codes.filter((c) => c === 401).length;
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThanOrEqual(20);
    expect(codes.slice(refused).every((c) => c === 429)).toBe(true);

    const limited = await wrongKey(attacker);
    const body = ErrorEnvelope.parse(json(limited));
    expect(body.code).toBe('RATE_LIMIT_EXCEEDED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(body.retry_after).toBe(Number(limited.headers['retry-after']));

    const good = await e.app.inject({ url: '/v1/templates', headers: e.auth, remoteAddress: attacker });
    expect(good.statusCode).toBe(200);
    // A key that did not authenticate lately waits like a guess would: the brake gives no oracle.
    const fresh = e.store.auth.createKey('fresh').key;
    const unseen = await e.app.inject({
      url: '/v1/templates',
      headers: { 'x-api-key': fresh },
      remoteAddress: attacker,
    });
    expect(unseen.statusCode).toBe(429);
    // Another client, even with that same new key, is served normally.
    const other = await e.app.inject({
      url: '/v1/templates',
      headers: { 'x-api-key': fresh },
      remoteAddress: '203.0.113.8',
    });
    expect(other.statusCode).toBe(200);
  });

  it('counts bad session cookies, wrong logins and spent sign-in links alike', async () => {
    const from = '192.0.2.44';
    const tries = [
      () =>
        e.app.inject({ url: '/v1/sandboxes', cookies: { hopdeck_session: 'forged' }, remoteAddress: from }),
      () =>
        e.app.inject({
          method: 'POST',
          url: '/auth/login',
          payload: { api_key: WRONG },
          remoteAddress: from,
        }),
      () => e.app.inject({ url: '/auth/link?token=not-a-real-link-token', remoteAddress: from }),
    ];
    const codes: number[] = [];
    for (let i = 0; i < 30; i++)
      codes.push((await (tries[i % 3] as () => Promise<{ statusCode: number }>)()).statusCode);
    expect(codes.filter((c) => c === 401).length).toBeLessThanOrEqual(20);
    expect(codes.slice(-9).every((c) => c === 429)).toBe(true);
    const login = await e.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { api_key: WRONG },
      remoteAddress: from,
    });
    expect(login.statusCode).toBe(429);
    expect(login.headers['retry-after']).toBeDefined();
  });

  it('over real sockets: a flood of wrong keys is braked while a good client is served', async () => {
    const start = Date.now();
    const flood = Array.from({ length: 150 }, () =>
      fetch(`${base}/v1/templates`, { headers: { 'x-api-key': WRONG } }).then((r) => r.status),
    );
    const goods = Array.from({ length: 20 }, () =>
      fetch(`${base}/v1/templates`, { headers: e.auth }).then((r) => r.status),
    );
    const [bad, good] = await Promise.all([Promise.all(flood), Promise.all(goods)]);
    expect(good.every((s) => s === 200)).toBe(true);
    const allowed = allowedSince(start);
    expect(bad.filter((s) => s === 401).length).toBeLessThanOrEqual(allowed);
    expect(bad.filter((s) => s === 429).length).toBeGreaterThanOrEqual(150 - allowed);
  });
});

describe('bodies over the limit (item 13)', () => {
  /** Chunked upload of `size` bytes: the engine only finds out it is too large while reading it. */
  const chunked = (size: number) => {
    const chunk = Buffer.alloc(64 * 1024, 97);
    let sent = 0;
    return new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent >= size) return c.close();
        c.enqueue(chunk);
        sent += chunk.length;
      },
    });
  };

  async function upload(url: string, headers: Record<string, string>, body: Buffer | ReadableStream) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        duplex: 'half',
      } as RequestInit);
      return { status: res.status, code: ((await res.json()) as { code?: string }).code };
    } catch (err) {
      return { status: 0, code: String((err as { cause?: { code?: string } }).cause?.code ?? err) };
    }
  }

  it('control plane: 30 oversized uploads all get the 413 envelope, none a reset', async () => {
    const results = [];
    for (let i = 0; i < 30; i++) {
      const body = i % 2 === 0 ? chunked(6 * 1024 * 1024) : Buffer.alloc(3 * 1024 * 1024, 97);
      results.push(await upload(`${base}/v1/sandboxes`, e.auth, body));
    }
    expect(results.filter((r) => r.status === 0)).toEqual([]);
    expect(results.every((r) => r.status === 413 && r.code === 'PAYLOAD_TOO_LARGE')).toBe(true);
  });

  it('control plane: a large body refused before it is read (no key) gets its 401, not a reset', async () => {
    const results = [];
    for (let i = 0; i < 10; i++)
      results.push(await upload(`${base}/v1/sandboxes`, {}, chunked(4 * 1024 * 1024)));
    expect(results.every((r) => r.status === 401 && r.code === 'AUTHENTICATION_REQUIRED')).toBe(true);
  });

  describe('through a sandbox gateway', () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      const res = await e.app.inject({
        method: 'POST',
        url: '/v1/sandboxes',
        headers: e.auth,
        payload: { template_name: 'ubuntu' },
      });
      expect(res.statusCode, res.body).toBe(201);
      sandbox = Sandbox.parse(json(res));
    });
    const agentAuth = () => ({ authorization: `Bearer ${sandbox.auth_token}` });

    it('30 oversized JSON uploads all get the 413 envelope, none a reset', async () => {
      const results = [];
      for (let i = 0; i < 30; i++) {
        const body = i % 2 === 0 ? chunked(6 * 1024 * 1024) : Buffer.alloc(5 * 1024 * 1024, 97);
        results.push(await upload(`${sandbox.public_host}/files/write`, agentAuth(), body));
      }
      expect(results.filter((r) => r.status === 0)).toEqual([]);
      expect(results.every((r) => r.status === 413)).toBe(true);
    });

    it('forged sandbox tokens are braked per address while the real token keeps working', async () => {
      const start = Date.now();
      const forged = `${sandbox.auth_token?.slice(0, -4)}AAAA`;
      const bad = Array.from({ length: 80 }, () =>
        fetch(`${sandbox.public_host}/system`, { headers: { authorization: `Bearer ${forged}` } }).then(
          async (r) =>
            [r.status, r.headers.get('retry-after'), ((await r.json()) as { code: string }).code] as const,
        ),
      );
      const good = Array.from({ length: 10 }, () =>
        fetch(`${sandbox.public_host}/system`, { headers: agentAuth() }).then((r) => r.status),
      );
      const [b, g] = await Promise.all([Promise.all(bad), Promise.all(good)]);
      expect(g.every((s) => s === 200)).toBe(true);
      const allowed = allowedSince(start);
      expect(b.filter(([s]) => s === 401).length).toBeLessThanOrEqual(allowed);
      const limited = b.filter(([s]) => s === 429);
      expect(limited.length).toBeGreaterThanOrEqual(80 - allowed);
      expect(limited.every(([, retry, code]) => Number(retry) > 0 && code === 'RATE_LIMIT_EXCEEDED')).toBe(
        true,
      );
    });

    it('refuses a NUL in an execute env with 400 (the shared schema)', async () => {
      const res = await fetch(`${sandbox.public_host}/execute`, {
        method: 'POST',
        headers: { ...agentAuth(), 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'echo hi', language: 'bash', env: { A: 'x\u0000y' } }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/NUL/);
    });
  });
});
