/** Run history of a sandbox (engine extension), recorded by the gateway. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest, notFound, parseInput } from '../../errors.ts';
import { InvalidCursorError, type ExecutionsRepo } from '../../store/executions.ts';
import { getSandbox } from '../../store/sandboxes.ts';
import type { Db } from '../../store/db.ts';
import type { Execution } from '../../../contract/schemas.ts';
import { limitParam } from './list-query.ts';

const Params = z.object({ id: z.string().min(1).max(128) });
const Query = z.object({
  limit: limitParam(100, 20),
  cursor: z.string().max(128).optional(),
  fields: z.enum(['full', 'summary']).default('full'),
});

/** What a history list needs: the code and a glimpse of the output, not every byte and image. */
const SUMMARY_OUTPUT_CHARS = 512;
function summarize(e: Execution): Execution {
  const cut = e.stdout.length > SUMMARY_OUTPUT_CHARS || e.stderr.length > SUMMARY_OUTPUT_CHARS;
  return {
    ...e,
    stdout: e.stdout.slice(0, SUMMARY_OUTPUT_CHARS),
    stderr: e.stderr.slice(0, SUMMARY_OUTPUT_CHARS),
    rich_outputs: [],
    truncated: e.truncated || cut || e.rich_outputs.length > 0,
  };
}

export async function executionRoutes(app: FastifyInstance, opts: { db: Db; executions: ExecutionsRepo }) {
  const requireSandbox = (id: string) => {
    const r = getSandbox(opts.db, id);
    if (!r || r.pool) throw notFound('Sandbox not found', { details: { sandbox_id: id } });
  };

  app.get('/v1/sandboxes/:id/executions', async (req) => {
    const { id } = parseInput(Params, req.params, 'path');
    const q = parseInput(Query, req.query, 'query');
    requireSandbox(id);
    try {
      const page = opts.executions.list(id, { limit: q.limit, cursor: q.cursor });
      return {
        object: 'list',
        data: q.fields === 'summary' ? page.items.map(summarize) : page.items,
        has_more: page.nextCursor !== null,
        next_cursor: page.nextCursor,
        url: `/v1/sandboxes/${id}/executions`,
      };
    } catch (err) {
      if (err instanceof InvalidCursorError) throw badRequest('Invalid cursor');
      throw err;
    }
  });

  app.get('/v1/sandboxes/:id/executions/:execId', async (req) => {
    const { id, execId } = parseInput(
      Params.extend({ execId: z.string().min(1).max(128) }),
      req.params,
      'path',
    );
    requireSandbox(id);
    const e = opts.executions.get(id, execId);
    if (!e) throw notFound('Execution not found', { details: { execution_id: execId } });
    return e;
  });
}
