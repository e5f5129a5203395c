/**
 * Lists across backends (decision 0014): `local` first, then each upstream in order, behind one
 * opaque cursor (base64url of `{b: backend, c: that backend's own cursor}`). A backend that cannot
 * be listed is skipped and named in `unavailable_backends`; the page still answers 200.
 */
import { HttpError, badRequest } from '../errors.ts';
import type { UpstreamAnswer, UpstreamClient } from './client.ts';

type Obj = Record<string, unknown>;

export interface Page {
  data: Obj[];
  has_more: boolean;
  next_cursor: string | null;
}

interface Position {
  b: string;
  c: string | null;
}

export const backendCursor = {
  encode: (p: Position) => Buffer.from(JSON.stringify(p)).toString('base64url'),
  decode(raw: string, backends: string[]): Position {
    try {
      const p = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Position>;
      if (
        typeof p.b === 'string' &&
        backends.includes(p.b) &&
        (p.c === null || (typeof p.c === 'string' && p.c.length <= 1024))
      )
        return { b: p.b, c: p.c };
    } catch {
      // fall through
    }
    throw badRequest('Invalid cursor (it does not belong to this listing)');
  },
};

/** One backend's page could not be had: its 502/504, or the upstream's own non-200 answer. */
export class UpstreamListError extends Error {
  constructor(readonly answer: UpstreamAnswer) {
    const body = answer.json as { message?: unknown; error?: unknown } | null;
    const said =
      typeof body?.message === 'string' ? body.message : typeof body?.error === 'string' ? body.error : '';
    super(`answered ${answer.status}${said ? `: ${said}` : ''}`);
  }
}

/** One page of an upstream list, with the query's filters passed on and `backend` on each item. */
export async function upstreamPage(
  client: UpstreamClient,
  path: string,
  filters: Record<string, string>,
  cursor: string | null,
  limit: number,
  requestId: string,
  mapItem: (item: Obj) => Promise<Obj> | Obj,
  timeoutMs?: number,
): Promise<Page & { answer: UpstreamAnswer }> {
  const q = new URLSearchParams({ ...filters, limit: String(limit) });
  if (cursor) q.set('cursor', cursor);
  const answer = await client.call({ path: `${path}?${q}`, requestId, ...(timeoutMs ? { timeoutMs } : {}) });
  const body = answer.json as { data?: unknown; has_more?: unknown; next_cursor?: unknown } | null;
  if (answer.status !== 200 || !body || !Array.isArray(body.data)) throw new UpstreamListError(answer);
  // At most `limit` items, each an object: a hostile upstream's 100 000-item page is not walked.
  const items = (body.data as unknown[])
    .slice(0, limit)
    .filter((i): i is Obj => !!i && typeof i === 'object' && !Array.isArray(i));
  const data = await Promise.all(items.map((item) => mapItem(item)));
  const next = typeof body.next_cursor === 'string' && body.next_cursor ? body.next_cursor : null;
  return { data, has_more: body.has_more === true && next !== null, next_cursor: next, answer };
}

export type PageSource = (backend: string, cursor: string | null, limit: number) => Promise<Page>;

/**
 * Fill up to `limit` items, walking backends in order from the cursor's position. `only` lists
 * one backend (its cursor still wrapped).
 */
export async function mergedList(opts: {
  backends: string[];
  cursor: string | undefined;
  limit: number;
  fetch: PageSource;
}): Promise<Page & { unavailable_backends?: { name: string; message: string }[] }> {
  const { backends, limit } = opts;
  const start =
    opts.cursor !== undefined ? backendCursor.decode(opts.cursor, backends) : { b: backends[0]!, c: null };
  const data: Obj[] = [];
  const unavailable: { name: string; message: string }[] = [];
  let next: Position | null = null;
  for (let i = backends.indexOf(start.b); i < backends.length; i++) {
    const name = backends[i]!;
    const remaining = limit - data.length;
    if (remaining <= 0) {
      next = { b: name, c: null };
      break;
    }
    let page: Page;
    try {
      page = await opts.fetch(name, name === start.b ? start.c : null, remaining);
    } catch (err) {
      if (err instanceof UpstreamListError || (err instanceof HttpError && err.statusCode >= 500)) {
        unavailable.push({
          name,
          message: `Backend "${name}" ${err instanceof UpstreamListError ? err.message : err.message.replace(/^Backend "[^"]*" /, '')}`,
        });
        continue;
      }
      throw err;
    }
    data.push(...page.data);
    if (page.has_more && page.next_cursor) {
      next = { b: name, c: page.next_cursor };
      break;
    }
  }
  return {
    data,
    has_more: next !== null,
    next_cursor: next ? backendCursor.encode(next) : null,
    ...(unavailable.length ? { unavailable_backends: unavailable } : {}),
  };
}
