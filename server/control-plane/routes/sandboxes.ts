/** `/v1/sandboxes`: the HopX sandbox API plus the documented list extensions (0001). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CreateSandboxRequest, SetTimeoutRequest } from '../../../contract/schemas.ts';
import { badRequest, parseInput } from '../../errors.ts';
import { listSandboxes, type SandboxRecord } from '../../store/sandboxes.ts';
import { REGIONS, type SandboxService } from '../sandbox-service.ts';
import { toApiSandbox, type SandboxUrls } from '../view.ts';
import type { WarmPool } from '../warm-pool.ts';
import { createUpstream, listAcross, type UpstreamContext } from '../../upstream/api.ts';
import { encodeCursor, parseSandboxListQuery } from './list-query.ts';

/** Local mode knows one backend. */
export const unknownBackend = (name: unknown) =>
  badRequest(`Unknown backend "${String(name).slice(0, 64)}": this engine has local`, {
    backends: ['local'],
  });

const IdParams = z.object({ id: z.string().min(1).max(128) });

export interface SandboxRoutesOptions {
  svc: SandboxService;
  pool: WarmPool;
  urls: SandboxUrls;
  isolation: string;
  /** Upstream backends (decision 0014); null in local mode. */
  upstream: UpstreamContext | null;
  defaultBackend: string;
}

export async function sandboxRoutes(app: FastifyInstance, opts: SandboxRoutesOptions): Promise<void> {
  const { svc, pool, urls } = opts;
  const view = (r: SandboxRecord, token?: { token: string; expiresAt: string }) =>
    toApiSandbox(r, urls, token);

  const localPage = (query: unknown) => {
    const q = parseSandboxListQuery(query);
    const { items, hasMore } = listSandboxes(svc.deps.db, q);
    const last = items.at(-1);
    return {
      data: items.map((r) => view(r)),
      has_more: hasMore,
      next_cursor:
        hasMore && last
          ? encodeCursor({ s: q.sort, o: q.order, v: String(last[q.sort]), id: last.id })
          : null,
    };
  };

  app.get('/v1/sandboxes', async (req, reply) => {
    const query = req.query as Record<string, unknown>;
    const up = opts.upstream;
    if (!up) {
      if (query.backend !== undefined && query.backend !== 'local') throw unknownBackend(query.backend);
      return { object: 'list', ...localPage(query), url: '/v1/sandboxes' };
    }
    // Validates the filters and the limit before any upstream is asked.
    const { limit } = parseSandboxListQuery({ ...query, cursor: undefined });
    return listAcross(up, req, reply, {
      path: '/v1/sandboxes',
      limit,
      local: (cursor, n) => localPage({ ...query, cursor: cursor ?? undefined, limit: String(n) }),
    });
  });

  // Refill the warm pool once the create's response is out (a boot blocks the event loop briefly).
  app.post('/v1/sandboxes', { onResponse: async () => pool.refill() }, async (req, reply) => {
    const body = parseInput(CreateSandboxRequest, req.body);
    const upstream = opts.upstream?.backends.check(body.backend ?? opts.defaultBackend) ?? null;
    if (opts.upstream && upstream) return createUpstream(opts.upstream, upstream, req, reply);
    if (!opts.upstream && body.backend !== undefined && body.backend !== 'local')
      throw unknownBackend(body.backend);
    if (body.region !== undefined && !REGIONS.includes(body.region)) {
      throw badRequest(`Unknown region "${body.region}": this engine has ${REGIONS.join(', ')}`, {
        regions: REGIONS,
      });
    }
    const t = svc.resolveTemplate(body);
    let out = pool.eligible(body) ? await pool.claim(t, body) : null;
    if (!out) {
      const rec = await svc.createFresh(t, body, opts.isolation);
      out = { rec, token: await svc.issueToken(rec.id) };
    }
    return reply.code(201).send(view(out.rec, out.token));
  });

  app.get('/v1/sandboxes/:id', async (req) => {
    const { id } = parseInput(IdParams, req.params, 'path');
    const r = svc.require(id);
    return view(r, await svc.currentToken(r.id));
  });

  app.delete('/v1/sandboxes/:id', async (req) => {
    const { id } = parseInput(IdParams, req.params, 'path');
    await svc.remove(id);
    return { id, status: 'deleted' };
  });

  // Documented by HopX (not in the SDKs): kill = delete, answered as `killed`.
  app.post('/v1/sandboxes/:id/kill', async (req) => {
    const { id } = parseInput(IdParams, req.params, 'path');
    await svc.remove(id);
    return { id, status: 'killed' };
  });

  for (const action of ['pause', 'resume', 'start', 'stop'] as const) {
    app.post(`/v1/sandboxes/:id/${action}`, async (req) => {
      const { id } = parseInput(IdParams, req.params, 'path');
      const r = await svc.transition(id, action);
      return { ...view(r), id: r.id, status: r.status };
    });
  }

  app.put('/v1/sandboxes/:id/timeout', async (req) => {
    const { id } = parseInput(IdParams, req.params, 'path');
    const { timeout_seconds } = parseInput(SetTimeoutRequest, req.body);
    const r = svc.setTimeoutSeconds(id, timeout_seconds);
    return { id: r.id, timeout_seconds: r.timeout_seconds, expires_at: r.expires_at };
  });

  app.post('/v1/sandboxes/:id/token/refresh', async (req) => {
    const { id } = parseInput(IdParams, req.params, 'path');
    svc.require(id);
    const t = await svc.issueToken(id);
    return { id, auth_token: t.token, token_expires_at: t.expiresAt };
  });
}
