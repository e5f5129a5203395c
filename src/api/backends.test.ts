import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Backend } from '@contract/schemas';
import { ApiError } from './client';
import { backendProblems, fetchBackends, usableBackend } from './backends';

const b = (name: string, extra: Partial<Backend> = {}): Backend => ({
  object: 'backend',
  name,
  kind: name === 'local' ? 'local' : 'upstream',
  url: name === 'local' ? null : `https://${name}.example`,
  default: false,
  status: 'ok',
  latency_ms: 4,
  checked_at: '2026-01-01T00:00:00Z',
  message: null,
  ...extra,
});

afterEach(() => vi.unstubAllGlobals());

describe('backends', () => {
  it('an engine without GET /v1/backends (404) has only local', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () => new Response(JSON.stringify({ error: 'Not found', code: 'NOT_FOUND' }), { status: 404 }),
      ),
    );
    const list = await fetchBackends();
    expect(list.map((x) => [x.name, x.kind, x.default, x.status])).toEqual([['local', 'local', true, 'ok']]);
  });

  it('other failures are errors, not "only local"', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () =>
          new Response(JSON.stringify({ message: 'boom', code: 'INTERNAL_ERROR' }), { status: 500 }),
      ),
    );
    await expect(fetchBackends()).rejects.toBeInstanceOf(ApiError);
  });

  it('a create goes to the pick, else the default, never to a backend that is down', () => {
    const list = [b('local'), b('cloud', { default: true }), b('edge', { status: 'down' })];
    expect(usableBackend(list)?.name).toBe('cloud');
    expect(usableBackend(list, 'local')?.name).toBe('local');
    expect(usableBackend(list, 'edge')?.name).toBe('cloud');
    expect(usableBackend([b('local'), b('cloud', { default: true, status: 'down' })])?.name).toBe('local');
    expect(usableBackend([b('cloud', { status: 'down' })])).toBeUndefined();
  });

  it('names each backend in trouble once, with what is wrong', () => {
    const list = [
      b('local'),
      b('cloud', { status: 'down', message: 'connect ECONNREFUSED' }),
      b('edge', { status: 'degraded', message: null }),
    ];
    expect(
      backendProblems(list, [
        { name: 'cloud', message: 'list failed' },
        { name: 'far', message: 'timed out after 30 s' },
      ]),
    ).toEqual([
      { name: 'cloud', kind: 'down', message: 'connect ECONNREFUSED' },
      { name: 'edge', kind: 'degraded', message: 'slow or failing' },
      { name: 'far', kind: 'unlisted', message: 'timed out after 30 s' },
    ]);
    expect(backendProblems([b('local'), b('cloud')], [])).toEqual([]);
    expect(backendProblems(undefined, [])).toEqual([]);
  });
});
