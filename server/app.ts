/**
 * The engine's HTTP app as a factory (fastify/demo style): it wires store, runtime, gateway, warm
 * pool and expiry scheduler into one Fastify instance and never listens; main.ts does.
 * Closing the app closes gateway ports, the pool and the scheduler; sandboxes keep running.
 */
import type { AddressInfo } from 'node:net';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { makeAuthHook, rateLimitKey } from './auth/guard.ts';
import { AuthThrottle, type ThrottleOptions } from './auth/throttle.ts';
import { SandboxTokens } from './auth/tokens.ts';
import { ExpiryScheduler } from './control-plane/expiry.ts';
import type { GatewayPorts } from './control-plane/gateway-port.ts';
import { genRequestId, installHttpBasics, installSpa } from './control-plane/http.ts';
import { reconcile, type ReconcileReport } from './control-plane/reconcile.ts';
import { apiKeyRoutes } from './control-plane/routes/api-keys.ts';
import { authRoutes } from './control-plane/routes/auth.ts';
import { executionRoutes } from './control-plane/routes/executions.ts';
import { healthRoutes } from './control-plane/routes/health.ts';
import { sandboxRoutes } from './control-plane/routes/sandboxes.ts';
import { templateRoutes } from './control-plane/routes/templates.ts';
import { workspaceRoutes } from './control-plane/routes/workspace.ts';
import { SandboxService } from './control-plane/sandbox-service.ts';
import { AGENT_HOST_PORT, addresses, type Addresses } from './control-plane/public-url.ts';
import { WarmPool } from './control-plane/warm-pool.ts';
import { backendRoutes } from './control-plane/routes/backends.ts';
import { PortAllocator } from './control-plane/ports.ts';
import { usedPorts } from './store/sandboxes.ts';
import { Backends } from './upstream/backends.ts';
import type { UpstreamConfig } from './upstream/config.ts';
import { upstreamSandboxForwarder } from './upstream/forward.ts';
import { UpstreamSandboxes } from './upstream/sandboxes.ts';
import { HttpError, installErrorHandling, sendFrameworkError } from './errors.ts';
import { createGateway, historyFromRepository, type Gateway } from './gateway/index.ts';
import { publicHosts } from './gateway/public-hosts.ts';
import type { Runtime } from './runtime/types.ts';
import { jwtSecret } from './store/settings.ts';
import type { Store } from './store/index.ts';

export interface AppOptions {
  store: Store;
  runtime: Runtime;
  host: string;
  port: number;
  framesPort: number;
  agentPorts: [number, number];
  rateLimit: number;
  warmPool: number;
  corsOrigin?: string | undefined;
  /** The address clients use (`--public-url`); every URL handed out is built from it (0013). */
  publicUrl?: string | undefined;
  /** The frames app, served as `frames.<public host>` on this port when publicUrl is set. */
  frames?: FastifyInstance;
  /** Built dashboard (dist/web); null serves a hint page instead. */
  webDir?: string | null;
  /** Inject a gateway (tests); by default the real one from server/gateway. */
  gateway?: GatewayPorts;
  logger?: FastifyServerOptions['logger'];
  /** Brake on failed authentication per client address (control plane and gateway; see throttle.ts). */
  authThrottle?: ThrottleOptions;
  /** Largest JSON body the gateway forwards to an agent (default 32 MiB; tests use less). */
  agentJsonLimit?: number;
  /** Upstream backends (decision 0014); none or empty: local mode. */
  upstreams?: UpstreamConfig[];
  /** Where creates without `backend` go (default: the first upstream, else local). */
  defaultBackend?: string;
  /** Upstream request timeout (default 30 s; creates 120 s). Tests shorten it. */
  upstreamTimeoutMs?: number;
  /** Interval of the upstream health probe (default 10 s; tests shorten it). */
  probeIntervalMs?: number;
  /** Reconcile records with the runtime and start the scheduler and the pool (default true). */
  start?: boolean;
}

export interface Engine {
  svc: SandboxService;
  pool: WarmPool;
  expiry: ExpiryScheduler;
  gateway: GatewayPorts;
  tokens: SandboxTokens;
  reconciled: ReconcileReport | null;
  backends: Backends;
  /** Upstream sandboxes; also the gateway's UpstreamAgents seam (decision 0014). */
  upstream: UpstreamSandboxes;
}

declare module 'fastify' {
  interface FastifyInstance {
    engine: Engine;
  }
}

export const BODY_LIMIT = 1024 * 1024;

/** URLs the engine hands out, from the public URL or else the listen address (public-url.ts). */
export function engineAddresses(
  opts: Pick<AppOptions, 'host' | 'port' | 'framesPort' | 'corsOrigin' | 'publicUrl'>,
  listenPort: () => number = () => opts.port,
): Addresses {
  return addresses({
    publicUrl: opts.publicUrl,
    host: opts.host,
    port: opts.port,
    listenPort,
    framesPort: opts.framesPort,
    corsOrigin: opts.corsOrigin,
  });
}

/** Agent and frames host names under a public URL; none for the local default. */
async function namedHosts(urls: Addresses, gateway: GatewayPorts, frames: FastifyInstance | undefined) {
  if (!urls.public) return undefined;
  if (!('request' in gateway)) throw new Error('a public URL needs the real gateway (host-name routing)');
  if (frames) await frames.ready();
  return publicHosts({
    suffix: urls.hostSuffix,
    agentPort: AGENT_HOST_PORT,
    agents: gateway as Gateway,
    ...(frames && urls.framesHost
      ? { frames: { host: urls.framesHost, handle: frames.routing.bind(frames) } }
      : {}),
  });
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: BODY_LIMIT,
    genReqId: genRequestId,
    trustProxy: false,
    // Shutdown does not wait for clients: a follow stream or a half-sent request would hold it for a minute.
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: sendFrameworkError,
  });
  const urls = engineAddresses(opts, () => (app.server.address() as AddressInfo | null)?.port ?? opts.port);
  const framesOrigin = urls.framesOrigin;
  // Behind a TLS proxy the engine sees http and its own Host: the public origin is named explicitly.
  const extraOrigins = [
    ...(urls.public ? [urls.public.origin] : []),
    ...(opts.corsOrigin ? [opts.corsOrigin] : []),
  ];
  const { store, runtime } = opts;
  const tokens = new SandboxTokens(jwtSecret(store.db));
  // The first signature pays for jose's key import; pay it now rather than on the first create.
  await tokens.issue('warmup');

  // Failed sign-ins on the control plane and forged sandbox tokens on agent ports are counted apart.
  const throttle = new AuthThrottle(opts.authThrottle);
  const gatewayThrottle = new AuthThrottle(opts.authThrottle);

  // The gateway asks the service for each sandbox's state; the service opens gateway ports.
  let svc: SandboxService | null = null;
  const backends = new Backends(opts.upstreams ?? [], opts.defaultBackend, opts.upstreamTimeoutMs, app.log);
  const upstreamRef: { current: UpstreamSandboxes | null } = { current: null };
  const gateway =
    opts.gateway ??
    createGateway({
      // Under a public URL agents are reached by host name; their ports stay on loopback.
      host: urls.public ? '127.0.0.1' : opts.host,
      tokens,
      lookup: (id) => svc?.lookup(id) ?? null,
      upstream: {
        target: (id) => upstreamRef.current?.target(id) ?? null,
        forget: (id) => upstreamRef.current?.forget(id),
      },
      history: historyFromRepository(store.executions),
      corsOrigins: urls.dashboardOrigins,
      authThrottle: gatewayThrottle,
      ...(opts.agentJsonLimit ? { jsonBodyLimit: opts.agentJsonLimit } : {}),
      log: app.log,
    });
  const expiryRef: { current: ExpiryScheduler | null } = { current: null };
  svc = new SandboxService({
    db: store.db,
    runtime,
    tokens,
    gateway,
    agentPorts: opts.agentPorts,
    log: app.log,
    onDeadlinesChanged: () => expiryRef.current?.arm(),
  });
  const upstream = new UpstreamSandboxes({
    db: store.db,
    backends,
    tokens,
    gateway,
    // The same --agent-ports range: usedPorts() counts local and upstream sandboxes' ports.
    ports: new PortAllocator(opts.agentPorts, () => usedPorts(store.db)),
    urls,
    hostNames: urls.public !== null,
    log: app.log,
    // Ports this engine listens on (not its whole range: a second engine on this machine with the
    // same default range holds the ports this one skipped).
    ownPort: (p) => p === opts.port || p === opts.framesPort || usedPorts(store.db).has(p),
  });
  upstreamRef.current = upstream;
  const upstreamCtx = backends.enabled ? { backends, sandboxes: upstream } : null;
  const pool = new WarmPool(svc, opts.warmPool, runtime.isolation);
  const expiry = new ExpiryScheduler(svc);
  expiryRef.current = expiry;
  const engine: Engine = { svc, pool, expiry, gateway, tokens, reconciled: null, backends, upstream };
  app.decorate('engine', engine);

  installErrorHandling(app);
  const pub = urls.public;
  installHttpBasics(app, {
    framesOrigin,
    corsOrigins: extraOrigins,
    // The dashboard calls agents at 7777-<id>.<host> (HTTP and WebSocket).
    connectSources: pub
      ? [
          `${pub.protocol}//*.${pub.hostname}${pub.portSuffix}`,
          `${pub.protocol === 'https:' ? 'wss:' : 'ws:'}//*.${pub.hostname}${pub.portSuffix}`,
        ]
      : [],
  });
  await app.register(cookie);
  await app.register(rateLimit, {
    global: true,
    max: opts.rateLimit,
    timeWindow: 60_000,
    keyGenerator: rateLimitKey,
    allowList: (req) => !req.url.startsWith('/v1') && !req.url.startsWith('/auth/'),
    errorResponseBuilder: (_req, ctx) => {
      const retryAfter = Math.max(1, Math.ceil(ctx.ttl / 1000));
      return new HttpError(
        429,
        'RATE_LIMIT_EXCEEDED',
        `Rate limit exceeded: ${ctx.max} requests per minute`,
        {
          retry_after: retryAfter,
          details: { retry_after_seconds: retryAfter },
        },
      );
    },
  });

  // HopX documents X-RateLimit-Reset as Unix seconds; the plugin writes seconds-until-reset.
  app.addHook('onSend', async (_req, reply) => {
    const reset = reply.getHeader('x-ratelimit-reset');
    if (reset !== undefined && Number(reset) < 1e9) {
      reply.header('x-ratelimit-reset', Math.floor(Date.now() / 1000) + Number(reset));
    }
  });

  await app.register(healthRoutes, { db: store.db, runtime, framesOrigin, backends });
  await app.register(authRoutes, {
    auth: store.auth,
    extraOrigins,
    throttle,
    secureCookie: urls.public?.protocol === 'https:',
  });
  await app.register(async (v1) => {
    v1.decorateRequest('identity', null);
    v1.addHook('onRequest', makeAuthHook(store.auth, extraOrigins, throttle));
    // Ids on an upstream are forwarded before any local route (or the local service) sees them.
    if (backends.enabled) v1.addHook('preHandler', upstreamSandboxForwarder(upstream));
    await v1.register(sandboxRoutes, {
      svc: svc as SandboxService,
      pool,
      urls,
      isolation: runtime.isolation,
      upstream: upstreamCtx,
      defaultBackend: backends.defaultName,
    });
    await v1.register(templateRoutes, { db: store.db, upstream: upstreamCtx });
    await v1.register(backendRoutes, { backends });
    await v1.register(executionRoutes, { db: store.db, executions: store.executions });
    await v1.register(apiKeyRoutes, { auth: store.auth });
    await v1.register(workspaceRoutes, {
      svc: svc as SandboxService,
      tokens,
      secret: jwtSecret(store.db),
      urls,
      namedHosts: await namedHosts(urls, gateway, opts.frames),
    });
  });
  await installSpa(app, opts.webDir ?? null);

  // Expired sessions and spent sign-in links are pruned at start and hourly.
  const prune = () => store.auth.pruneExpired();
  const pruneTimer = setInterval(prune, 3600_000);
  pruneTimer.unref();

  app.addHook('onClose', async () => {
    clearInterval(pruneTimer);
    backends.close();
    expiry.close();
    await pool.close();
    await gateway.closeAll();
  });

  if (opts.start !== false) {
    prune();
    engine.reconciled = await reconcile(svc);
    await upstream.restorePorts();
    backends.start(opts.probeIntervalMs);
    expiry.start();
    void expiry.sweep();
    pool.refill();
  }
  return app;
}
