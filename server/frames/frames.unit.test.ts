import { afterAll, describe, expect, it } from 'vitest';
import { createFramesApp } from './index.ts';

const DASHBOARD = 'http://127.0.0.1:7070';
const app = createFramesApp({ dashboardOrigins: [DASHBOARD, 'http://localhost:5173/'] });
afterAll(() => app.close());

function directives(csp: string): Map<string, string> {
  return new Map(
    csp.split(';').map((d) => {
      const [name = '', ...rest] = d.trim().split(/\s+/);
      return [name, rest.join(' ')];
    }),
  );
}

describe('frames origin', () => {
  it('serves /frame.html with a CSP that lets scripts run but nothing leave, framed only by the dashboard', async () => {
    const res = await app.inject({ method: 'GET', url: '/frame.html' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toMatch(/^req_/);
    const csp = directives(String(res.headers['content-security-policy']));
    expect(csp.get('default-src')).toBe("'none'");
    expect(csp.get('connect-src')).toBe("'none'");
    expect(csp.get('form-action')).toBe("'none'");
    expect(csp.get('script-src')).toContain("'self'");
    expect(csp.get('img-src')).not.toMatch(/https?:|\*/);
    expect(csp.get('frame-ancestors')).toBe(`${DASHBOARD} http://localhost:5173`);
    // The page loads its own script and carries the allowed parents for the message origin check.
    expect(res.body).toContain('<script src="/frame.js"');
    expect(res.body).toContain('data-parents="[&quot;http://127.0.0.1:7070&quot;');
  });

  it('serves the frame script, which speaks the 0001 protocol and checks the message source', async () => {
    const res = await app.inject({ method: 'GET', url: '/frame.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.body).toContain("'hopdeck-frame-ready'");
    expect(res.body).toContain("'hopdeck-render'");
    expect(res.body).toContain("'hopdeck-height'");
    expect(res.body).toContain('event.source !== window.parent');
  });

  it('serves nothing else: other paths and methods get the error envelope', async () => {
    for (const req of [
      { method: 'GET' as const, url: '/' },
      { method: 'GET' as const, url: '/v1/sandboxes' },
      { method: 'GET' as const, url: '/../etc/passwd' },
      { method: 'POST' as const, url: '/frame.html' },
    ]) {
      const res = await app.inject(req);
      expect(res.statusCode).toBe(404);
      const body = res.json() as Record<string, unknown>;
      expect(body.code).toBe('RESOURCE_NOT_FOUND');
      expect(body.message).toBe(body.error);
      expect(String(body.request_id)).toMatch(/^req_/);
    }
  });

  it('refuses origins that could break out of the CSP header', () => {
    expect(() => createFramesApp({ dashboardOrigins: ['http://a; script-src *'] })).toThrow(/origin/);
    expect(() => createFramesApp({ dashboardOrigins: ['javascript:alert(1)'] })).toThrow(/origin/);
  });

  it('with no dashboard origin, nobody may frame it', async () => {
    const lone = createFramesApp({ dashboardOrigins: [] });
    const res = await lone.inject({ method: 'GET', url: '/frame.html' });
    expect(directives(String(res.headers['content-security-policy'])).get('frame-ancestors')).toBe("'none'");
    await lone.close();
  });
});
