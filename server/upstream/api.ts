/**
 * The `/v1` answers that involve every backend (decision 0014): sandbox and template lists (one
 * backend with `?backend=`, else all of them merged), creates on an upstream, and templates by
 * name. The route files call these; the local side is passed in as page functions.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PortRangeExhaustedError } from '../control-plane/ports.ts';
import { HttpError, notFound } from '../errors.ts';
import type { Backends } from './backends.ts';
import { CREATE_TIMEOUT_MS, type UpstreamClient } from './client.ts';
import { LOCAL_BACKEND } from './config.ts';
import { passHeaders, relay } from './forward.ts';
import { mergedList, upstreamPage, UpstreamListError, type Page } from './lists.ts';
import type { UpstreamSandboxes } from './sandboxes.ts';

type Obj = Record<string, unknown>;

export const MERGED_LIST_TIMEOUT_MS = 5_000;

export interface UpstreamContext {
  backends: Backends;
  sandboxes: UpstreamSandboxes;
}

/** A local page: `cursor` is the local list's own cursor (null for the first page). */
export type LocalPage = (cursor: string | null, limit: number) => Page;

const PAGING = new Set(['cursor', 'limit', 'backend']);

function filtersOf(query: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (!PAGING.has(k) && typeof v === 'string') out[k] = v;
  }
  return out;
}

/**
 * `GET /v1/sandboxes` or `/v1/templates` across backends. `limit` is already validated by the
 * local parser (it runs first, so bad input is a 400 before any upstream is asked).
 */
export async function listAcross(
  ctx: UpstreamContext,
  req: FastifyRequest,
  reply: FastifyReply,
  what: { path: '/v1/sandboxes' | '/v1/templates'; limit: number; local: LocalPage },
): Promise<unknown> {
  const q = (req.query ?? {}) as { backend?: unknown; cursor?: unknown };
  const only = typeof q.backend === 'string' ? q.backend : undefined;
  if (only !== undefined) ctx.backends.check(only);
  const names = only !== undefined ? [only] : ctx.backends.names();
  const filters = filtersOf(req.query);
  const mapItem = (backend: string) => (item: Obj) =>
    what.path === '/v1/sandboxes' ? ctx.sandboxes.present(backend, item) : { ...item, backend };
  let failure: unknown = null;
  const page = await mergedList({
    backends: names,
    cursor: typeof q.cursor === 'string' ? q.cursor : undefined,
    limit: what.limit,
    fetch: async (backend, cursor, limit) => {
      if (backend === LOCAL_BACKEND) return what.local(cursor, limit);
      const client = ctx.backends.upstream(backend) as UpstreamClient;
      try {
        const p = await upstreamPage(
          client,
          what.path,
          filters,
          cursor,
          limit,
          String(req.id),
          mapItem(backend),
          // A merged page waits at most MERGED_LIST_TIMEOUT_MS for a silent upstream (the other
          // backends' items are ready); one backend asked by name gets the full timeout.
          only === undefined ? Math.min(MERGED_LIST_TIMEOUT_MS, client.timeoutMs) : undefined,
        );
        if (only !== undefined) passHeaders(reply, p.answer);
        return p;
      } catch (err) {
        // One upstream asked by name: its own answer (a 429 with Retry-After, a 400) or our
        // 502/504 is the answer, not an empty list.
        if (only !== undefined) failure = err;
        throw err;
      }
    },
  });
  if (failure instanceof UpstreamListError) {
    passHeaders(reply, failure.answer);
    return reply.code(failure.answer.status).send(failure.answer.json ?? { message: failure.message });
  }
  if (failure) throw failure;
  return { object: 'list', ...page, url: what.path };
}

/** `POST /v1/sandboxes` for an upstream: the body as sent, minus our `backend` field. */
export async function createUpstream(
  ctx: UpstreamContext,
  client: UpstreamClient,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const body = { ...(req.body as Obj) };
  delete body.backend;
  const a = await client.call({
    method: 'POST',
    path: '/v1/sandboxes',
    body,
    requestId: String(req.id),
    timeoutMs: CREATE_TIMEOUT_MS,
  });
  const json = a.json as Obj | null;
  if (a.status < 300 && json && typeof json.id === 'string') {
    let shown: Obj;
    try {
      shown = await ctx.sandboxes.present(client.name, json, { token: true });
    } catch (err) {
      // Created upstream but not presentable here (no free gateway port, a store error): the
      // caller never gets its id, so it must not stay running (and billed) on the cloud unseen.
      await undoCreate(ctx, client, json.id, String(req.id), err);
      throw new HttpError(
        503,
        'SERVICE_UNAVAILABLE',
        `Sandbox could not be set up on this engine (${errText(err)}); it was deleted on backend "${client.name}"`,
        { backend: client.name },
      );
    }
    passHeaders(reply, a);
    return reply.code(a.status).send(shown);
  }
  return relay(req, reply, client, ctx.sandboxes, a, '', '/create');
}

const errText = (err: unknown) =>
  err instanceof PortRangeExhaustedError ? 'no free gateway port' : 'internal error';

/** Best effort: forget the half-made sandbox here and delete it upstream; every outcome is logged. */
async function undoCreate(
  ctx: UpstreamContext,
  client: UpstreamClient,
  id: string,
  rid: string,
  err: unknown,
) {
  const log = ctx.sandboxes.deps.log;
  log?.warn({ err, sandbox_id: id, backend: client.name }, 'upstream sandbox created but not set up here');
  ctx.sandboxes.forget(id);
  try {
    const d = await client.call({
      method: 'DELETE',
      path: `/v1/sandboxes/${encodeURIComponent(id)}`,
      requestId: rid,
    });
    if (d.status >= 300 && d.status !== 404)
      log?.warn(
        { sandbox_id: id, backend: client.name, status: d.status },
        'upstream delete of a failed create refused',
      );
    else log?.warn({ sandbox_id: id, backend: client.name }, 'upstream sandbox of a failed create deleted');
  } catch (e) {
    log?.warn({ err: e, sandbox_id: id, backend: client.name }, 'upstream delete of a failed create failed');
  }
}

/** `GET /v1/templates/:name`: `?backend=` names where; else local first, then each upstream. */
export async function templateAcross(
  ctx: UpstreamContext,
  req: FastifyRequest,
  reply: FastifyReply,
  name: string,
  local: () => Obj | null,
): Promise<unknown> {
  const only = (req.query as { backend?: unknown } | undefined)?.backend;
  const names = typeof only === 'string' ? [only] : ctx.backends.names();
  if (typeof only === 'string') ctx.backends.check(only);
  for (const backend of names) {
    // `.`/`..` would name another upstream path once the URL is resolved.
    if (backend !== LOCAL_BACKEND && (name === '.' || name === '..')) continue;
    if (backend === LOCAL_BACKEND) {
      const t = local();
      if (t) return { ...t, backend };
      continue;
    }
    const client = ctx.backends.upstream(backend) as UpstreamClient;
    let a;
    try {
      a = await client.call({ path: `/v1/templates/${encodeURIComponent(name)}`, requestId: String(req.id) });
    } catch (err) {
      if (typeof only === 'string') throw err;
      continue;
    }
    if (a.status === 200 && a.json && typeof a.json === 'object') {
      passHeaders(reply, a);
      return { ...(a.json as Obj), backend };
    }
    if (a.status !== 404 || typeof only === 'string') {
      passHeaders(reply, a);
      return reply.code(a.status).send(a.json ?? { message: a.text });
    }
  }
  throw notFound(`Template not found: ${name}`, { details: { template: name } });
}
