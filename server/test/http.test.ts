import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineHealth, ErrorEnvelope, Template, TemplateList } from '../../contract/schemas.ts';
import { json, startEngine, type TestEngine } from './engine.ts';

let e: TestEngine;
let web: string;
beforeAll(async () => {
  web = mkdtempSync(join(tmpdir(), 'hopdeck-web-'));
  mkdirSync(join(web, 'assets'));
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>Hopdeck</title><div id="root"></div>');
  writeFileSync(join(web, 'assets', 'app-abc123.js'), 'console.log(1)');
  e = await startEngine({ webDir: web, framesPort: 7171, corsOrigin: 'http://127.0.0.1:5173' });
});
afterAll(async () => {
  await e?.dispose();
  rmSync(web, { recursive: true, force: true });
});

describe('health', () => {
  it('answers without auth with the EngineHealth shape', async () => {
    const res = await e.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    const h = EngineHealth.parse(json(res));
    expect(h.isolation).toBe('bwrap');
    expect(h.frames_origin).toBe('http://127.0.0.1:7171');
    expect(h.sandboxes).toEqual({ running: 0, total: 0 });
  });
});

describe('templates', () => {
  it('lists the built-ins with every Template field', async () => {
    const res = await e.app.inject({ method: 'GET', url: '/v1/templates', headers: e.auth });
    const list = TemplateList.parse(json(res));
    expect(list.data.map((t) => t.name).sort()).toEqual(['code-interpreter', 'nodejs', 'python', 'ubuntu']);
    for (const t of list.data) {
      expect(t.id).toMatch(/^template_/);
      expect(t.status).toBe('active');
      expect(t.is_active).toBe(true);
      expect(Array.isArray(t.features) && Array.isArray(t.tags)).toBe(true);
    }
  });

  it('filters by category and language and pages with a cursor', async () => {
    const py = json<{ data: Template[] }>(
      await e.app.inject({ url: '/v1/templates?language=python', headers: e.auth }),
    );
    expect(py.data.map((t) => t.name).sort()).toEqual(['code-interpreter', 'python']);
    const cat = json<{ data: Template[] }>(
      await e.app.inject({ url: '/v1/templates?category=nodejs', headers: e.auth }),
    );
    expect(cat.data.map((t) => t.name)).toEqual(['nodejs']);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await e.app.inject({
        url: `/v1/templates?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        headers: e.auth,
      });
      const page = TemplateList.parse(json(res));
      seen.push(...page.data.map((t) => t.name));
      cursor = page.next_cursor;
      expect(page.has_more).toBe(cursor !== null);
    } while (cursor);
    expect(seen).toEqual(['code-interpreter', 'nodejs', 'python', 'ubuntu']);
  });

  it('resolves a template by name and by id; unknown → 404', async () => {
    const byName = Template.parse(json(await e.app.inject({ url: '/v1/templates/python', headers: e.auth })));
    const byId = Template.parse(
      json(await e.app.inject({ url: `/v1/templates/${byName.id}`, headers: e.auth })),
    );
    expect(byId.name).toBe('python');
    const missing = await e.app.inject({ url: '/v1/templates/cobol', headers: e.auth });
    expect(missing.statusCode).toBe(404);
    expect(ErrorEnvelope.parse(json(missing)).code).toBe('RESOURCE_NOT_FOUND');
  });

  it.each(['0', '101', 'ten', '-1', '1.5'])('rejects limit=%s with 400', async (limit) => {
    const res = await e.app.inject({ url: `/v1/templates?limit=${limit}`, headers: e.auth });
    expect(res.statusCode).toBe(400);
    expect(ErrorEnvelope.parse(json(res)).code).toBe('INVALID_REQUEST');
  });
});

describe('bad input gets the envelope, never a 500', () => {
  it('malformed JSON → 400 INVALID_JSON', async () => {
    const res = await e.app.inject({
      method: 'POST',
      url: '/v1/sandboxes',
      headers: { ...e.auth, 'content-type': 'application/json' },
      payload: '{"template_name": ',
    });
    expect(res.statusCode).toBe(400);
    expect(ErrorEnvelope.parse(json(res)).code).toBe('INVALID_JSON');
  });

  it('an empty body sent as JSON counts as no body (the SDKs POST actions like that)', async () => {
    const res = await e.app.inject({
      method: 'POST',
      url: '/v1/sandboxes/sandbox_doesnotexist0000/pause',
      headers: { ...e.auth, 'content-type': 'application/json' },
      payload: '',
    });
    expect(res.statusCode).toBe(404);
    expect(json(res).message).toBe('Sandbox not found');
  });

  it('wrong types → 400 naming the field', async () => {
    const res = await e.app.inject({
      method: 'POST',
      url: '/v1/sandboxes',
      headers: e.auth,
      payload: { template_name: 'python', timeout_seconds: 'soon' },
    });
    expect(res.statusCode).toBe(400);
    expect(json(res).message).toMatch(/timeout_seconds/);
  });

  it('a missing body → 400', async () => {
    const res = await e.app.inject({ method: 'POST', url: '/v1/sandboxes', headers: e.auth });
    expect(res.statusCode).toBe(400);
    expect(ErrorEnvelope.parse(json(res)).code).toBe('INVALID_REQUEST');
  });

  it('unknown template → 404, unknown region → 400', async () => {
    const t = await e.app.inject({
      method: 'POST',
      url: '/v1/sandboxes',
      headers: e.auth,
      payload: { template_name: 'cobol' },
    });
    expect(t.statusCode).toBe(404);
    expect(json(t).message).toMatch(/cobol/);
    const r = await e.app.inject({
      method: 'POST',
      url: '/v1/sandboxes',
      headers: e.auth,
      payload: { template_name: 'python', region: 'mars-1' },
    });
    expect(r.statusCode).toBe(400);
    expect(json(r).message).toMatch(/region/);
  });

  it('a body over 1 MiB → 413', async () => {
    const res = await e.app.inject({
      method: 'POST',
      url: '/v1/sandboxes',
      headers: { ...e.auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ template_name: 'python', env_vars: { BIG: 'x'.repeat(1_100_000) } }),
    });
    expect(res.statusCode).toBe(413);
    expect(ErrorEnvelope.parse(json(res)).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it.each([
    ['POST', '/v1/sandboxes', '{"template_name":"python","env_vars":{"1BAD":"x"}}'],
    ['POST', '/v1/sandboxes', '{"template_name":"python","timeout_seconds":1e20}'],
    ['POST', '/v1/sandboxes', '{"template_id":1.5}'],
    ['POST', '/v1/sandboxes', '[1,2,3]'],
    ['POST', '/v1/sandboxes', '"python"'],
    ['POST', '/v1/sandboxes', '{"__proto__":{"admin":true},"template_name":"python"}'],
    ['POST', '/v1/sandboxes', '{"template_name":""}'],
    ['PUT', '/v1/sandboxes/sandbox_x/timeout', '{"timeout_seconds":"ten"}'],
    ['POST', '/v1/api-keys', '{"name":123}'],
    ['POST', '/auth/login', '{}'],
    ['GET', '/v1/templates/%E0%A4%A', ''],
    ['GET', '/v1/sandboxes?limit=5&limit=6', ''],
    ['GET', `/v1/sandboxes/${'x'.repeat(300)}`, ''],
  ])('%s %s %s → a 4xx envelope, never a 500', async (method, url, payload) => {
    const res = await e.app.inject({
      method: method as 'GET',
      url,
      headers: { ...e.auth, ...(payload ? { 'content-type': 'application/json' } : {}) },
      ...(payload ? { payload } : {}),
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    const body = ErrorEnvelope.parse(json(res));
    expect(body.request_id).toBe(res.headers['x-request-id']);
  });

  it('unknown API routes → 404 envelope; unknown sandbox → 404 "Sandbox not found"', async () => {
    const route = await e.app.inject({ url: '/v1/nothing-here', headers: e.auth });
    expect(route.statusCode).toBe(404);
    expect(ErrorEnvelope.parse(json(route)).code).toBe('RESOURCE_NOT_FOUND');
    const sbx = await e.app.inject({ url: '/v1/sandboxes/sandbox_doesnotexist0000', headers: e.auth });
    expect(sbx.statusCode).toBe(404);
    expect(json(sbx).message).toBe('Sandbox not found');
  });
});

describe('headers and the dashboard', () => {
  it('every response has a request id and the security headers', async () => {
    for (const url of ['/health', '/v1/templates', '/', '/v1/nope']) {
      const res = await e.app.inject({ url, headers: e.auth });
      expect(res.headers['x-request-id']).toMatch(/^req_[0-9a-f]{24}$/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain('frame-src http://127.0.0.1:7171');
    }
  });

  it('serves the SPA: assets as files, client routes as index.html, API paths never', async () => {
    const page = await e.app.inject({ url: '/sandboxes/sandbox_x?tab=run' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<div id="root">');
    const asset = await e.app.inject({ url: '/assets/app-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe('console.log(1)');
    const api = await e.app.inject({ url: '/v1/whatever', headers: e.auth });
    expect(api.headers['content-type']).toMatch(/json/);
  });

  it('puts rate-limit headers on /v1 responses (reset in Unix seconds)', async () => {
    const res = await e.app.inject({ url: '/v1/templates', headers: e.auth });
    expect(Number(res.headers['x-ratelimit-limit'])).toBe(6000);
    expect(Number(res.headers['x-ratelimit-remaining'])).toBeLessThan(6000);
    const reset = Number(res.headers['x-ratelimit-reset']);
    const now = Date.now() / 1000;
    expect(reset).toBeGreaterThan(now - 1);
    expect(reset).toBeLessThanOrEqual(now + 61);
  });

  it('lets the dev dashboard origin (--cors-origin) call the API with its cookie, and no other origin', async () => {
    const pre = await e.app.inject({
      method: 'OPTIONS',
      url: '/v1/sandboxes',
      headers: { origin: 'http://127.0.0.1:5173', 'access-control-request-method': 'POST' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('http://127.0.0.1:5173');
    expect(pre.headers['access-control-allow-credentials']).toBe('true');
    const other = await e.app.inject({
      url: '/v1/templates',
      headers: { ...e.auth, origin: 'https://evil.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After and retry_after once a key spends its budget', async () => {
    const small = await startEngine({ rateLimit: 5 });
    try {
      const codes: number[] = [];
      let last = await small.app.inject({ url: '/v1/templates', headers: small.auth });
      codes.push(last.statusCode);
      for (let i = 0; i < 6; i++) {
        last = await small.app.inject({ url: '/v1/templates', headers: small.auth });
        codes.push(last.statusCode);
      }
      expect(codes.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(last.statusCode).toBe(429);
      const body = ErrorEnvelope.parse(json(last));
      expect(body.code).toBe('RATE_LIMIT_EXCEEDED');
      expect(body.retry_after).toBeGreaterThan(0);
      expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
      expect(last.headers['x-ratelimit-remaining']).toBe('0');
      // Another key has its own budget.
      const other = small.store.auth.createKey('other').key;
      const fresh = await small.app.inject({ url: '/v1/templates', headers: { 'x-api-key': other } });
      expect(fresh.statusCode).toBe(200);
    } finally {
      await small.dispose();
    }
  });
});
