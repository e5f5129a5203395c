import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ApiError, buildUrl, request } from './client';

function respond(status: number, body: unknown, headers: Record<string, string> = {}) {
  vi.stubGlobal(
    'fetch',
    vi.fn(
      async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers }),
    ),
  );
}

afterEach(() => vi.unstubAllGlobals());

describe('request', () => {
  it('parses a successful response with the schema and sends the session cookie', async () => {
    respond(200, { id: 'sandbox_1', extra: true });
    const out = await request('/v1/x', { schema: z.object({ id: z.string() }) });
    expect(out).toEqual({ id: 'sandbox_1' });
    const init = vi.mocked(fetch).mock.calls[0]?.[1];
    expect(init?.credentials).toBe('same-origin');
  });

  it('turns the HopX error envelope into an ApiError with code, message and request id', async () => {
    respond(
      409,
      {
        error: 'Cannot pause',
        message: 'Cannot pause a stopped sandbox',
        code: 'CONFLICT',
        request_id: 'req_1',
        status: 'stopped',
      },
      { 'X-Request-ID': 'req_1' },
    );
    const err = await request('/v1/x', { schema: z.unknown() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 409,
      code: 'CONFLICT',
      message: 'Cannot pause a stopped sandbox',
      requestId: 'req_1',
      currentStatus: 'stopped',
    });
  });

  it('reads Retry-After from the header, else from the body', async () => {
    respond(
      429,
      {
        error: 'x',
        message: 'Rate limit exceeded',
        code: 'RATE_LIMIT_EXCEEDED',
        request_id: 'r',
        retry_after: 9,
      },
      { 'Retry-After': '30' },
    );
    await expect(request('/v1/x', { schema: z.unknown() })).rejects.toMatchObject({
      status: 429,
      retryAfter: 30,
    });
    respond(429, {
      error: 'x',
      message: 'Rate limit exceeded',
      code: 'RATE_LIMIT_EXCEEDED',
      request_id: 'r',
      retry_after: 9,
    });
    await expect(request('/v1/x', { schema: z.unknown() })).rejects.toMatchObject({ retryAfter: 9 });
  });

  it('reads HopX’s nested details.retry_after_seconds', async () => {
    respond(429, {
      error: 'x',
      message: 'Rate limit exceeded',
      code: 'RATE_LIMIT_EXCEEDED',
      request_id: 'r',
      details: { retry_after_seconds: 12 },
    });
    await expect(request('/v1/x', { schema: z.unknown() })).rejects.toMatchObject({ retryAfter: 12 });
  });

  it('keeps what an upstream failure says: 502, 503 and 504 envelopes name the backend', async () => {
    for (const [status, code] of [
      [502, 'UPSTREAM_UNAVAILABLE'],
      [503, 'SERVICE_UNAVAILABLE'],
      [504, 'UPSTREAM_TIMEOUT'],
    ] as const) {
      respond(status, {
        error: 'Upstream error',
        message: `Backend "cloud" failed (${code})`,
        code,
        request_id: `req_${status}`,
      });
      await expect(request('/v1/sandboxes', { schema: z.unknown() })).rejects.toMatchObject({
        status,
        code,
        message: `Backend "cloud" failed (${code})`,
        requestId: `req_${status}`,
      });
    }
  });

  it('reports a body that is not an envelope with the status and the header request id', async () => {
    respond(502, '<html>bad gateway</html>', { 'X-Request-ID': 'req_h' });
    await expect(request('/v1/x', { schema: z.unknown() })).rejects.toMatchObject({
      status: 502,
      code: 'HTTP_502',
      requestId: 'req_h',
    });
  });

  it('reports a response that does not match the schema', async () => {
    respond(200, { id: 42 });
    await expect(request('/v1/x', { schema: z.object({ id: z.string() }) })).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
    });
  });

  it('reports an unreachable engine as a network error', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))),
    );
    await expect(request('/v1/x', { schema: z.unknown() })).rejects.toMatchObject({
      status: 0,
      code: 'NETWORK_ERROR',
    });
  });
});

describe('buildUrl', () => {
  it('drops empty parameters and encodes the rest', () => {
    expect(buildUrl('/v1/sandboxes', { limit: 50, cursor: undefined, q: '', status: 'running,paused' })).toBe(
      '/v1/sandboxes?limit=50&status=running%2Cpaused',
    );
    expect(buildUrl('/v1/sandboxes')).toBe('/v1/sandboxes');
  });
});
