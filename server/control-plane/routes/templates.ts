/** `/v1/templates`: the built-in templates, by name or id; with upstreams, theirs too (0014). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { notFound, parseInput } from '../../errors.ts';
import type { Db } from '../../store/db.ts';
import { findTemplate, listTemplates } from '../../store/templates.ts';
import { listAcross, templateAcross, type UpstreamContext } from '../../upstream/api.ts';
import { TemplateListParams, templateCursor } from './list-query.ts';
import { unknownBackend } from './sandboxes.ts';

export async function templateRoutes(
  app: FastifyInstance,
  opts: { db: Db; upstream: UpstreamContext | null },
): Promise<void> {
  const localPage = (query: unknown) => {
    const p = parseInput(TemplateListParams, query, 'query');
    const after = p.cursor !== undefined ? templateCursor.decode(p.cursor) : undefined;
    const { items, hasMore } = listTemplates(opts.db, { ...p, after });
    const last = items.at(-1);
    return {
      data: items.map((t) => ({ ...t, backend: 'local' })),
      has_more: hasMore,
      next_cursor: hasMore && last ? templateCursor.encode(last.name) : null,
    };
  };

  app.get('/v1/templates', async (req, reply) => {
    const query = req.query as Record<string, unknown>;
    const up = opts.upstream;
    if (!up) {
      if (query.backend !== undefined && query.backend !== 'local') throw unknownBackend(query.backend);
      return { object: 'list', ...localPage(query), url: '/v1/templates' };
    }
    const { limit } = parseInput(TemplateListParams, { ...query, cursor: undefined }, 'query');
    return listAcross(up, req, reply, {
      path: '/v1/templates',
      limit,
      local: (cursor, n) => localPage({ ...query, cursor: cursor ?? undefined, limit: String(n) }),
    });
  });

  app.get('/v1/templates/:name', async (req, reply) => {
    const { name } = parseInput(z.object({ name: z.string().min(1).max(128) }), req.params, 'path');
    const backend = (req.query as { backend?: unknown }).backend;
    if (opts.upstream)
      return templateAcross(opts.upstream, req, reply, name, () => findTemplate(opts.db, name) ?? null);
    if (backend !== undefined && backend !== 'local') throw unknownBackend(backend);
    const t = findTemplate(opts.db, name);
    if (!t) throw notFound(`Template not found: ${name}`, { details: { template: name } });
    return { ...t, backend: 'local' };
  });
}
