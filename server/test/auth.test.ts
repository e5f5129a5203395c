import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyInfo } from '../../contract/schemas.ts';
import { CreatedApiKey, ErrorEnvelope } from '../../contract/schemas.ts';
import { json, startEngine, type TestEngine } from './engine.ts';

let e: TestEngine;
beforeAll(async () => {
  e = await startEngine();
});
afterAll(async () => {
  await e?.dispose();
});

const cookieOf = (res: { headers: Record<string, unknown> }) => {
  const raw = res.headers['set-cookie'];
  const line = (Array.isArray(raw) ? raw[0] : raw) as string;
  return { line, pair: line.split(';')[0] as string };
};

describe('API key authentication', () => {
  it('refuses requests without a key with the HopX envelope', async () => {
    const res = await e.app.inject({ method: 'GET', url: '/v1/sandboxes' });
    expect(res.statusCode).toBe(401);
    const body = ErrorEnvelope.parse(json(res));
    expect(body.code).toBe('AUTHENTICATION_REQUIRED');
    expect(body.request_id).toBe(res.headers['x-request-id']);
  });

  it('refuses a wrong key', async () => {
    const res = await e.app.inject({
      method: 'GET',
      url: '/v1/templates',
      headers: { 'x-api-key': 'hopx_live_AAAAAAAAAAAA.nope-nope-nope-nope' },
    });
    expect(res.statusCode).toBe(401);
    expect(json(res).code).toBe('INVALID_TOKEN');
  });

  it('accepts X-API-Key and Authorization: Bearer alike, and records last use', async () => {
    const a = await e.app.inject({ method: 'GET', url: '/v1/templates', headers: e.auth });
    const b = await e.app.inject({
      method: 'GET',
      url: '/v1/templates',
      headers: { authorization: `Bearer ${e.apiKey}` },
    });
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(200);
    const keys = json<{ data: ApiKeyInfo[] }>(
      await e.app.inject({ method: 'GET', url: '/v1/api-keys', headers: e.auth }),
    );
    expect(keys.data.find((k) => k.name === 'test')?.last_used_at).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
  });
});

describe('sessions (backend for frontend)', () => {
  it('logs in with a key, sets an HttpOnly SameSite=Strict cookie, and the cookie authenticates', async () => {
    const login = await e.app.inject({ method: 'POST', url: '/auth/login', payload: { api_key: e.apiKey } });
    expect(login.statusCode).toBe(200);
    expect(json(login)).toMatchObject({ authenticated: true, key_name: 'test' });
    const { line, pair } = cookieOf(login);
    expect(line).toMatch(/^hopdeck_session=/);
    expect(line).toMatch(/HttpOnly/i);
    expect(line).toMatch(/SameSite=Strict/i);
    expect(line).not.toContain(e.apiKey);

    const list = await e.app.inject({ method: 'GET', url: '/v1/sandboxes', headers: { cookie: pair } });
    expect(list.statusCode).toBe(200);
    const session = await e.app.inject({ method: 'GET', url: '/auth/session', headers: { cookie: pair } });
    expect(json(session)).toMatchObject({ authenticated: true, key_name: 'test' });

    // Unsafe methods with the cookie need our own Origin (CSRF).
    const evil = await e.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: { cookie: pair, origin: 'https://evil.example' },
      payload: { name: 'x' },
    });
    expect(evil.statusCode).toBe(403);
    expect(json(evil).code).toBe('FORBIDDEN');
    const own = await e.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: { cookie: pair, origin: 'http://localhost:80', host: 'localhost:80' },
      payload: { name: 'from-browser' },
    });
    expect(own.statusCode).toBe(201);

    const logout = await e.app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: pair } });
    expect(logout.statusCode).toBe(200);
    const after = await e.app.inject({ method: 'GET', url: '/auth/session', headers: { cookie: pair } });
    expect(after.statusCode).toBe(401);
    expect(ErrorEnvelope.parse(json(after)).code).toBe('AUTHENTICATION_REQUIRED');
  });

  it('refuses a login with a wrong key', async () => {
    const res = await e.app.inject({ method: 'POST', url: '/auth/login', payload: { api_key: 'wrong' } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('a sign-in link works exactly once and only redirects to local paths', async () => {
    const key = e.store.auth.firstActiveKey();
    if (!key) throw new Error('no key');
    const token = e.store.auth.createSigninToken(key.id);
    const first = await e.app.inject({
      method: 'GET',
      url: `/auth/link?token=${token}&next=/sandboxes?status=running`,
    });
    expect(first.statusCode).toBe(302);
    expect(first.headers.location).toBe('/sandboxes?status=running');
    const { pair } = cookieOf(first);
    expect(
      (await e.app.inject({ method: 'GET', url: '/v1/templates', headers: { cookie: pair } })).statusCode,
    ).toBe(200);

    const again = await e.app.inject({ method: 'GET', url: `/auth/link?token=${token}` });
    expect(again.statusCode).toBe(401);
    expect(again.headers['set-cookie']).toBeUndefined();

    const t2 = e.store.auth.createSigninToken(key.id);
    const offsite = await e.app.inject({
      method: 'GET',
      url: `/auth/link?token=${t2}&next=//evil.example/x`,
    });
    expect(offsite.statusCode).toBe(302);
    expect(offsite.headers.location).toBe('/');
  });
});

describe('named API keys', () => {
  it('creates a key shown once, lists it without its secret, revokes it', async () => {
    const created = await e.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: e.auth,
      payload: { name: 'ci' },
    });
    expect(created.statusCode).toBe(201);
    const k = CreatedApiKey.parse(json(created));
    expect(k.key).toMatch(/^hopx_live_[A-Za-z0-9]{12}\.[A-Za-z0-9_-]+$/);

    const withNew = await e.app.inject({
      method: 'GET',
      url: '/v1/templates',
      headers: { 'x-api-key': k.key },
    });
    expect(withNew.statusCode).toBe(200);
    const list = await e.app.inject({ method: 'GET', url: '/v1/api-keys', headers: e.auth });
    expect(list.body).not.toContain(k.key);
    expect(json<{ data: ApiKeyInfo[] }>(list).data.map((x) => x.name)).toContain('ci');

    const del = await e.app.inject({ method: 'DELETE', url: `/v1/api-keys/${k.id}`, headers: e.auth });
    expect(json(del)).toMatchObject({ id: k.id, object: 'api_key', revoked: true });
    const revoked = await e.app.inject({
      method: 'GET',
      url: '/v1/templates',
      headers: { 'x-api-key': k.key },
    });
    expect(revoked.statusCode).toBe(401);
  });

  it('rejects a nameless key and refuses to revoke the last active key', async () => {
    const bad = await e.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: e.auth,
      payload: { name: '' },
    });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).code).toBe('INVALID_REQUEST');
    const keys = json<{ data: ApiKeyInfo[] }>(
      await e.app.inject({ method: 'GET', url: '/v1/api-keys', headers: e.auth }),
    );
    const mine = keys.data.find((k) => k.name === 'test');
    for (const k of keys.data) {
      if (k.id !== mine?.id && !k.revoked_at) {
        await e.app.inject({ method: 'DELETE', url: `/v1/api-keys/${k.id}`, headers: e.auth });
      }
    }
    const last = await e.app.inject({ method: 'DELETE', url: `/v1/api-keys/${mine?.id}`, headers: e.auth });
    expect(last.statusCode).toBe(409);
    expect(json(last).code).toBe('CONFLICT');
    const missing = await e.app.inject({ method: 'DELETE', url: '/v1/api-keys/key_nope', headers: e.auth });
    expect(missing.statusCode).toBe(404);
  });
});
