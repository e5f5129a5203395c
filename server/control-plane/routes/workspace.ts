/**
 * The workspace extensions of `/v1` (decision 0011), registered with one line in app.ts:
 * - `GET /v1/sandboxes/metrics?ids=a,b` — latest CPU and memory of several running sandboxes at once
 *   (the list's live columns);
 * - `GET /v1/sandboxes/{id}/metrics?since=` — the agent's sampled history (charts);
 * - `GET /v1/sandboxes/{id}/ports` — listening ports, each with its URL and a one-time access link;
 * - `GET /v1/sandboxes/{id}/ports/{port}` — the URL and access link of any port;
 * - `GET /v1/sandboxes/{id}/logs` (logs.ts);
 * and the port hosts themselves (`http://<port>-<id>.localhost:<engine port>/`) on the same server.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SandboxTokens } from '../../auth/tokens.ts';
import { HttpError, badRequest, parseInput } from '../../errors.ts';
import { requireRunning } from '../../gateway/access.ts';
import { GatewayError } from '../../gateway/errors.ts';
import { LINK_PARAM, PortHosts, installPortHosts, type NamedHost } from '../../gateway/ports-host.ts';
import { PortTokens } from '../../gateway/ports-tokens.ts';
import { rfc3339 } from '../../../contract/wire.ts';
import { agentRequest } from '../../runtime/agent-client.ts';
import type { SandboxService } from '../sandbox-service.ts';
import { logRoutes } from './logs.ts';

const Params = z.object({ id: z.string().min(1).max(128) });
const PortParams = Params.extend({
  port: z
    .string()
    .regex(/^[1-9]\d{0,4}$/, 'port must be a number from 1 to 65535')
    .transform(Number)
    .refine((p) => p <= 65535, 'port must be a number from 1 to 65535'),
});
const SANDBOX_ID = /^sandbox_[a-z0-9]{16}$/;
const BatchQuery = z.object({
  ids: z
    .string()
    .max(100 * 30)
    .transform((s) => [...new Set(s.split(',').filter(Boolean))])
    .refine((ids) => ids.length <= 100, 'at most 100 ids')
    .refine((ids) => ids.every((i) => SANDBOX_ID.test(i)), 'ids must be sandbox ids'),
});
const HistoryQuery = z.object({ since: z.coerce.number().int().min(0).default(0) });

// What an agent says is untrusted: bounded, typed, or dropped.
const num = z.number().finite();
const Sample = z.object({
  t: num,
  cpu_percent: num,
  memory_bytes: num,
  memory_limit_bytes: num,
  disk_bytes: num,
  disk_total_bytes: num,
  net_rx_bps: num.nullable(),
  net_tx_bps: num.nullable(),
});
const History = z.object({ samples: z.array(Sample).max(2000), interval_seconds: num });
const AgentPorts = z.object({
  ports: z
    .array(
      z.object({
        port: z.number().int().min(1).max(65535),
        addresses: z.array(z.string().max(64)).max(16),
        pid: z.number().int().nullable(),
        process: z.string().max(300).nullable(),
      }),
    )
    .max(1000),
});

export interface WorkspaceOptions {
  svc: SandboxService;
  tokens: SandboxTokens;
  /** The engine's JWT secret; port tokens use a key derived from it. */
  secret: Uint8Array;
  /** Port URLs and the host suffix they live under (public-url.ts). */
  urls: { portUrl(sandboxId: string, port: number): string; hostSuffix: string };
  /** Other host names on the engine's port (agent and frames hosts under a public URL). */
  namedHosts?: (req: IncomingMessage) => NamedHost | null;
}

function running(svc: SandboxService, id: string) {
  svc.require(id);
  try {
    return requireRunning(svc.lookup(id));
  } catch (err) {
    if (err instanceof GatewayError) throw new HttpError(err.statusCode, err.code, err.message, err.extra);
    throw err;
  }
}

async function askAgent<T extends z.ZodType>(socketPath: string, path: string, schema: T, timeoutMs = 3000) {
  let reply;
  try {
    reply = await agentRequest(socketPath, 'GET', path, undefined, timeoutMs);
  } catch {
    throw new HttpError(502, 'SERVICE_UNAVAILABLE', 'The sandbox agent is not reachable; retry in a moment');
  }
  const parsed = reply.status === 200 ? schema.safeParse(reply.body) : null;
  if (!parsed?.success) throw new HttpError(502, 'BAD_GATEWAY', 'The sandbox agent gave an invalid answer');
  return parsed.data as z.infer<T>;
}

export async function workspaceRoutes(app: FastifyInstance, opts: WorkspaceOptions) {
  const { svc } = opts;
  const portTokens = new PortTokens(opts.secret);
  installPortHosts(
    app.server,
    new PortHosts({
      tokens: opts.tokens,
      portTokens,
      lookup: (id) => svc.lookup(id),
      suffix: opts.urls.hostSuffix,
    }),
    opts.namedHosts,
  );
  const describe = (id: string, port: number) => {
    const url = opts.urls.portUrl(id, port);
    const link = portTokens.issue('link', id, port);
    return {
      url,
      access_url: `${url}?${LINK_PARAM}=${encodeURIComponent(link.token)}`,
      access_expires_at: rfc3339(link.expiresAt),
    };
  };

  await app.register(logRoutes, { svc });

  app.get('/v1/sandboxes/metrics', async (req) => {
    if ((req.query as { ids?: unknown }).ids === undefined) throw badRequest('ids is required');
    const { ids } = parseInput(BatchQuery, req.query, 'query');
    const data = await Promise.all(
      ids.map(async (id) => {
        const target = svc.lookup(id);
        if (target?.status !== 'running') return null;
        try {
          const h = await askAgent(target.socketPath, '/metrics/history?limit=1', History, 1500);
          const s = h.samples.at(-1);
          return s
            ? {
                id,
                cpu_percent: s.cpu_percent,
                memory_bytes: s.memory_bytes,
                memory_limit_bytes: s.memory_limit_bytes,
                t: s.t,
              }
            : null;
        } catch {
          return null;
        }
      }),
    );
    return { object: 'list', data: data.filter((d) => d !== null) };
  });

  app.get('/v1/sandboxes/:id/metrics', async (req) => {
    const { id } = parseInput(Params, req.params, 'path');
    const { since } = parseInput(HistoryQuery, req.query, 'query');
    const target = running(svc, id);
    const h = await askAgent(target.socketPath, `/metrics/history?since=${since}`, History);
    return { object: 'metrics', sandbox_id: id, interval_seconds: h.interval_seconds, samples: h.samples };
  });

  app.get('/v1/sandboxes/:id/ports', async (req) => {
    const { id } = parseInput(Params, req.params, 'path');
    const target = running(svc, id);
    const { ports } = await askAgent(target.socketPath, '/ports', AgentPorts);
    const data = ports.map((p) => ({ object: 'port', sandbox_id: id, ...p, ...describe(id, p.port) }));
    return { object: 'list', data };
  });

  app.get('/v1/sandboxes/:id/ports/:port', async (req) => {
    const { id, port } = parseInput(PortParams, req.params, 'path');
    svc.require(id);
    return { object: 'port', sandbox_id: id, port, ...describe(id, port) };
  });
}
