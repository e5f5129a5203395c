/** Named API keys (engine extension for the settings page). Secrets are shown once, at creation. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError, notFound, parseInput } from '../../errors.ts';
import type { AuthStore } from '../../store/auth.ts';

const CreateKey = z.object({ name: z.string().trim().min(1).max(64) });

export async function apiKeyRoutes(app: FastifyInstance, opts: { auth: AuthStore }): Promise<void> {
  const { auth } = opts;
  app.get('/v1/api-keys', async () => ({
    object: 'list',
    data: auth.listKeys(),
    has_more: false,
    next_cursor: null,
    url: '/v1/api-keys',
  }));

  app.post('/v1/api-keys', async (req, reply) => {
    const { name } = parseInput(CreateKey, req.body);
    return reply.code(201).send(auth.createKey(name));
  });

  app.delete('/v1/api-keys/:id', async (req) => {
    const { id } = parseInput(z.object({ id: z.string().min(1).max(64) }), req.params, 'path');
    const key = auth.getKey(id);
    if (!key) throw notFound('API key not found', { details: { id } });
    if (!key.revoked_at) {
      if (auth.activeKeyCount() <= 1) {
        throw new HttpError(
          409,
          'CONFLICT',
          'Cannot revoke the last active API key: create another one first',
        );
      }
      auth.revokeKey(id);
    }
    return { id, object: 'api_key', revoked: true };
  });
}
