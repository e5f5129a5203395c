/** `GET /health` of the engine (no auth): what runs, how isolated, where the frames origin is. */
import type { FastifyInstance } from 'fastify';
import type { EngineHealth } from '../../../contract/schemas.ts';
import type { Runtime } from '../../runtime/types.ts';
import type { Db } from '../../store/db.ts';
import type { Backends } from '../../upstream/backends.ts';
import { countSandboxes } from '../../store/sandboxes.ts';
import { REGIONS } from '../sandbox-service.ts';

export const ENGINE_VERSION = '0.1.0';

export async function healthRoutes(
  app: FastifyInstance,
  opts: { db: Db; runtime: Runtime; framesOrigin: string; backends: Backends },
) {
  const started = Date.now();
  app.get('/health', async (): Promise<EngineHealth> => ({
    status: 'ok',
    version: ENGINE_VERSION,
    // Upstream mode names its first upstream's URL (never a key); /v1/backends has them all.
    mode: opts.backends.enabled ? 'upstream' : 'local',
    upstream: opts.backends.upstreams[0]?.config.url ?? null,
    isolation: opts.runtime.isolation,
    cgroups: opts.runtime.cgroups,
    network: opts.runtime.network,
    sandboxes: countSandboxes(opts.db),
    frames_origin: opts.framesOrigin,
    regions: REGIONS,
    uptime_seconds: Math.round((Date.now() - started) / 1000),
  }));
}
