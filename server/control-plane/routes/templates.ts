/** `/v1/templates`: the built-in templates, by name or id. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { notFound, parseInput } from '../../errors.ts';
import type { Db } from '../../store/db.ts';
import { findTemplate, listTemplates } from '../../store/templates.ts';
import { TemplateListParams, templateCursor } from './list-query.ts';

export async function templateRoutes(app: FastifyInstance, opts: { db: Db }): Promise<void> {
  app.get('/v1/templates', async (req) => {
    const p = parseInput(TemplateListParams, req.query, 'query');
    const after = p.cursor !== undefined ? templateCursor.decode(p.cursor) : undefined;
    const { items, hasMore } = listTemplates(opts.db, { ...p, after });
    const last = items.at(-1);
    return {
      object: 'list',
      data: items,
      has_more: hasMore,
      next_cursor: hasMore && last ? templateCursor.encode(last.name) : null,
      url: '/v1/templates',
    };
  });

  app.get('/v1/templates/:name', async (req) => {
    const { name } = parseInput(z.object({ name: z.string().min(1).max(128) }), req.params, 'path');
    const t = findTemplate(opts.db, name);
    if (!t) throw notFound(`Template not found: ${name}`, { details: { template: name } });
    return t;
  });
}
