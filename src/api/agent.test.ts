import { afterEach, describe, expect, it, vi } from 'vitest';
import { agentRequest, agentToken, agentWsUrl, dropAgentToken } from './agent';
import { z } from 'zod';

const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('agent tokens', () => {
  it('uses the token of the sandbox record while it has more than a few minutes left', async () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    const t = await agentToken({
      id: 'sb_a',
      public_host: 'http://127.0.0.1:7300',
      auth_token: 'rec',
      token_expires_at: soon(3600_000),
    });
    expect(t).toBe('rec');
    expect(fetch).not.toHaveBeenCalled();
  });

  it('refreshes a token that is about to expire, once for concurrent callers', async () => {
    const fetch = vi.fn(async (_url: string) =>
      json(200, { auth_token: 'fresh', token_expires_at: soon(86_400_000) }),
    );
    vi.stubGlobal('fetch', fetch);
    const target = {
      id: 'sb_b',
      public_host: 'http://127.0.0.1:7300',
      auth_token: 'old',
      token_expires_at: soon(60_000),
    };
    const [a, b] = await Promise.all([agentToken(target), agentToken(target)]);
    expect([a, b]).toEqual(['fresh', 'fresh']);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0]?.[0]).toBe('/v1/sandboxes/sb_b/token/refresh');
    // Cached afterwards.
    expect(await agentToken(target)).toBe('fresh');
    expect(fetch).toHaveBeenCalledTimes(1);
    dropAgentToken('sb_b');
  });

  it('after a 401 from the agent, refreshes the token and retries once', async () => {
    const seen: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (url.endsWith('/token/refresh'))
          return json(200, { auth_token: 'renewed', token_expires_at: soon(86_400_000) });
        const auth = new Headers(init?.headers).get('Authorization') ?? '';
        seen.push(auth);
        return auth === 'Bearer renewed'
          ? json(200, { ok: true })
          : json(401, {
              error: 'Token expired',
              message: 'Token expired',
              code: 'TOKEN_EXPIRED',
              request_id: 'req_1',
            });
      }),
    );
    const target = {
      id: 'sb_c',
      public_host: 'http://127.0.0.1:7300/',
      auth_token: 'stale',
      token_expires_at: soon(3600_000),
    };
    const out = await agentRequest(target, '/kernel/restart', {
      method: 'POST',
      body: {},
      schema: z.object({ ok: z.boolean() }),
    });
    expect(out).toEqual({ ok: true });
    expect(seen).toEqual(['Bearer stale', 'Bearer renewed']);
  });

  it('reports an agent error with its envelope', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        json(409, {
          error: 'Sandbox is paused',
          message: 'Sandbox is paused',
          code: 'SANDBOX_PAUSED',
          request_id: 'req_9',
        }),
      ),
    );
    const target = {
      id: 'sb_d',
      public_host: 'http://127.0.0.1:7300',
      auth_token: 't',
      token_expires_at: soon(3600_000),
    };
    await expect(
      agentRequest(target, '/kernel/restart', { method: 'POST', schema: z.object({}) }),
    ).rejects.toMatchObject({
      status: 409,
      code: 'SANDBOX_PAUSED',
      requestId: 'req_9',
    });
  });
});

describe('agentWsUrl', () => {
  it('keeps only scheme, host and port of public_host, like the SDKs, and puts the token in the query', () => {
    expect(agentWsUrl('http://127.0.0.1:7301/some/prefix', '/execute/stream', 'a.b+c')).toBe(
      'ws://127.0.0.1:7301/execute/stream?token=a.b%2Bc',
    );
    expect(agentWsUrl('https://sbx.example.com', '/execute/stream', 't')).toBe(
      'wss://sbx.example.com/execute/stream?token=t',
    );
  });
});
