import { describe, expect, it } from 'vitest';
import { HttpError } from '../errors.ts';
import { backendCursor, mergedList, type PageSource } from './lists.ts';

/** Backends as arrays of ids, paged by a numeric cursor (like any backend's own opaque one). */
function source(data: Record<string, string[]>, down: string[] = []): PageSource {
  return async (backend, cursor, limit) => {
    if (down.includes(backend))
      throw new HttpError(502, 'UPSTREAM_UNAVAILABLE', `Backend "${backend}" is unavailable: gone`);
    const all = data[backend] ?? [];
    const from = cursor ? Number(cursor) : 0;
    const slice = all.slice(from, from + limit);
    const more = from + limit < all.length;
    return {
      data: slice.map((id) => ({ id, backend })),
      has_more: more,
      next_cursor: more ? String(from + limit) : null,
    };
  };
}

async function walk(backends: string[], fetch: PageSource, limit: number) {
  const ids: string[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await mergedList({ backends, cursor, limit, fetch });
    ids.push(...page.data.map((d) => d.id as string));
    sizes.push(page.data.length);
    if (!page.has_more) return { ids, sizes };
    cursor = page.next_cursor!;
  }
  throw new Error('did not end');
}

describe('lists across backends', () => {
  const data = { local: ['l1', 'l2', 'l3'], a: [], b: ['b1', 'b2', 'b3', 'b4'] };

  it.each([1, 2, 3, 5, 100])('visits every item once, local first, with limit %i', async (limit) => {
    const { ids, sizes } = await walk(['local', 'a', 'b'], source(data), limit);
    expect(ids).toEqual(['l1', 'l2', 'l3', 'b1', 'b2', 'b3', 'b4']);
    // Pages are filled across backends: only the last can be short (or empty after an exact fill).
    expect(sizes.slice(0, -1).every((n) => n === limit)).toBe(true);
  });

  it('skips a backend that is down and names it; the page still answers', async () => {
    const page = await mergedList({
      backends: ['local', 'a', 'b'],
      cursor: undefined,
      limit: 100,
      fetch: source(data, ['b']),
    });
    expect(page.data.map((d) => d.id)).toEqual(['l1', 'l2', 'l3']);
    expect(page.unavailable_backends).toEqual([{ name: 'b', message: 'Backend "b" is unavailable: gone' }]);
    expect(page.has_more).toBe(false);
  });

  it('refuses a cursor of another listing or a forged one', async () => {
    const fetch = source(data);
    for (const cursor of [
      'nope',
      backendCursor.encode({ b: 'c', c: null }),
      Buffer.from('{"b":1}').toString('base64url'),
    ]) {
      await expect(mergedList({ backends: ['local', 'b'], cursor, limit: 1, fetch })).rejects.toThrow(
        /Invalid cursor/,
      );
    }
  });

  it('passes errors that are not a backend being unavailable on', async () => {
    const fetch: PageSource = async () => {
      throw new HttpError(400, 'INVALID_REQUEST', 'bad filter');
    };
    await expect(mergedList({ backends: ['local'], cursor: undefined, limit: 1, fetch })).rejects.toThrow(
      'bad filter',
    );
  });
});
