/** `GET /v1/backends` (decision 0014): each backend with its health; never an upstream's key. */
import type { FastifyInstance } from 'fastify';
import type { BackendList } from '../../../contract/schemas.ts';
import type { Backends } from '../../upstream/backends.ts';

export async function backendRoutes(app: FastifyInstance, opts: { backends: Backends }): Promise<void> {
  app.get('/v1/backends', async (): Promise<BackendList> => ({
    object: 'list',
    data: opts.backends.describe(),
  }));
}
