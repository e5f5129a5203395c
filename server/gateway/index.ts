/**
 * The agent gateway: one loopback HTTP server per running sandbox, whose URL is the sandbox's
 * `public_host`, or, under a public URL, its `7777-<id>.<host>` name on the engine's port (issue 13). Each request is checked (CORS, sandbox JWT, sandbox state)
 * and forwarded to the agent's unix socket; see docs/decisions/0004-gateway.md.
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AuthThrottle } from '../auth/throttle.ts';
import type { SandboxTokens } from '../auth/tokens.ts';
import type { SandboxStatus } from '../../contract/schemas.ts';
import { KeyedLock } from '../lib/locks.ts';
import { newRequestId } from '../../contract/wire.ts';
import {
  checkToken,
  corsHeaders,
  extractToken,
  isPreflight,
  originAllowed,
  parseTarget,
  preflightHeaders,
  requireRunning,
  VerifiedTokens,
} from './access.ts';
import { GatewayError, errors, writeRawError, requestIdFor, sendError } from './errors.ts';
import { answerAfterBody, forwardHttp } from './http-proxy.ts';
import { chosenProtocol, forwardUpgrade } from './ws-proxy.ts';
import type { HistorySink } from './history.ts';
import type { GatewayLogger } from './types.ts';

export type { HistorySink } from './history.ts';
export { HISTORY_LIMITS, historyFromRepository } from './history.ts';
export type { GatewayLogger } from './types.ts';

export interface GatewayOptions {
  /** Interface to listen on; loopback unless the engine serves other machines. */
  host: string;
  tokens: SandboxTokens;
  /** Current state of a sandbox, read on every request (so pause/stop take effect at once). */
  lookup(id: string): { status: SandboxStatus; socketPath: string } | null;
  history?: HistorySink;
  /** Browser origins allowed to call agents (the dashboard's); `*` allows any. */
  corsOrigins: string[];
  log?: GatewayLogger;
  /** Brake on forged tokens per client address: 429 + Retry-After once it is empty. */
  authThrottle?: AuthThrottle;
  /** Largest JSON request body forwarded (default 32 MiB: `/files/write` carries base64 content). */
  jsonBodyLimit?: number;
  /** Largest WebSocket frame relayed either way (default 16 MiB). */
  maxFrameBytes?: number;
  /** WebSocket clients are pinged this often and cut when silent (default 30 s). */
  heartbeatMs?: number;
  /** Gap between frames of a burst sent to SDK clients, 0 to disable (default 5 ms; see ws-outbox.ts). */
  sdkFramePacingMs?: number;
}

export interface Gateway {
  /** Start serving a sandbox on `host:port`; resolves once listening. Re-opening the same port is a no-op. */
  open(sandboxId: string, port: number): Promise<void>;
  /** Stop serving a sandbox and cut its open connections. Idempotent. */
  close(sandboxId: string): Promise<void>;
  closeAll(): Promise<void>;
  port(sandboxId: string): number | undefined;
  /** A request for a sandbox's agent that arrived by host name on the engine's port (issue 13). */
  request(sandboxId: string, req: IncomingMessage, res: ServerResponse): void;
  upgrade(sandboxId: string, req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

interface Listener {
  port: number;
  server: http.Server;
  wss: WebSocketServer;
  agent: http.Agent;
  sockets: Set<WebSocket>;
}

export function createGateway(opts: GatewayOptions): Gateway {
  const listeners = new Map<string, Listener>();
  const jsonLimit = opts.jsonBodyLimit ?? 32 * 1024 * 1024;
  const maxPayload = opts.maxFrameBytes ?? 16 * 1024 * 1024;
  const verified = new VerifiedTokens();

  async function authorize(sandboxId: string, l: Listener, req: IncomingMessage, url: URL, ws: boolean) {
    const token = extractToken(req, url, ws);
    const address = req.socket.remoteAddress ?? '';
    const throttle = opts.authThrottle;
    // A token that already passed is never held back; unknown ones wait while the address is braked.
    if (throttle && !verified.has(sandboxId, token)) {
      const wait = throttle.retryAfter(address);
      if (wait > 0) throw errors.throttled(wait);
    }
    try {
      await checkToken(opts.tokens, token, sandboxId, verified);
    } catch (err) {
      if (throttle && err instanceof GatewayError && err.code === 'TOKEN_INVALID') throttle.failed(address);
      throw err;
    }
    // The port may have been closed while the token was checked (sandbox stopped or deleted).
    if (listeners.get(sandboxId) !== l) throw errors.agentUnavailable();
    return requireRunning(opts.lookup(sandboxId));
  }

  function onRequest(sandboxId: string, l: Listener, req: IncomingMessage, res: ServerResponse): void {
    const requestId = requestIdFor(req);
    const cors = corsHeaders(req, opts.corsOrigins);
    if (isPreflight(req)) {
      const origin = req.headers.origin;
      if (typeof origin === 'string' && !originAllowed(origin, opts.corsOrigins)) {
        sendError(res, errors.forbiddenOrigin(), requestId);
        return;
      }
      res.writeHead(204, { ...preflightHeaders(req, opts.corsOrigins), 'x-request-id': requestId });
      res.end();
      return;
    }
    let url: URL;
    try {
      url = parseTarget(req);
    } catch (err) {
      sendError(res, err as GatewayError, requestId, cors);
      return;
    }
    authorize(sandboxId, l, req, url, false).then(
      (target) =>
        forwardHttp(req, res, {
          sandboxId,
          socketPath: target.socketPath,
          agent: l.agent,
          requestId,
          url,
          cors,
          jsonLimit,
          history: opts.history,
          log: opts.log,
        }),
      (err: unknown) => {
        if (!(err instanceof GatewayError))
          opts.log?.error({ err, sandbox_id: sandboxId }, 'gateway failure');
        answerAfterBody(
          req,
          res,
          err instanceof GatewayError ? err : errors.agentUnavailable(),
          requestId,
          cors,
        );
      },
    );
  }

  function onUpgrade(
    sandboxId: string,
    l: Listener,
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): void {
    socket.on('error', () => socket.destroy());
    const requestId = requestIdFor(req);
    const cors = corsHeaders(req, opts.corsOrigins);
    const origin = req.headers.origin;
    if (typeof origin === 'string' && !originAllowed(origin, opts.corsOrigins)) {
      writeRawError(socket, errors.forbiddenOrigin(), requestId);
      return;
    }
    let url: URL;
    try {
      url = parseTarget(req);
    } catch (err) {
      writeRawError(socket, err as GatewayError, requestId, cors);
      return;
    }
    authorize(sandboxId, l, req, url, true).then(
      (target) =>
        forwardUpgrade(l.wss, req, socket, head, {
          sandboxId,
          socketPath: target.socketPath,
          requestId,
          url,
          cors,
          maxPayload,
          heartbeatMs: opts.heartbeatMs ?? 30_000,
          browser: typeof origin === 'string',
          sdkPacingMs: opts.sdkFramePacingMs ?? 5,
          history: opts.history,
          log: opts.log,
          track: (pair) => {
            for (const ws of pair) {
              l.sockets.add(ws);
              ws.once('close', () => l.sockets.delete(ws));
            }
          },
        }),
      (err: unknown) => {
        if (!(err instanceof GatewayError))
          opts.log?.error({ err, sandbox_id: sandboxId }, 'gateway failure');
        writeRawError(socket, err instanceof GatewayError ? err : errors.agentUnavailable(), requestId, cors);
      },
    );
  }

  // One open/close at a time per sandbox, so concurrent calls never leave two listeners behind.
  const lock = new KeyedLock();
  const serialized = (sandboxId: string, op: () => Promise<void>) => lock.run(sandboxId, op);

  async function openNow(sandboxId: string, port: number): Promise<void> {
    const existing = listeners.get(sandboxId);
    if (existing?.port === port) return;
    if (existing) await closeNow(sandboxId);
    const server = http.createServer({ requestTimeout: 0, headersTimeout: 60_000 });
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload,
      // Compress every frame (threshold 0) when the client offers it, as the SDKs' ws does: the
      // client then inflates each frame in its own callback, which the SDK readers need (see
      // ws-outbox.ts). Level 1: cheap; the frames are mostly small JSON.
      perMessageDeflate: { threshold: 0, zlibDeflateOptions: { level: 1 } },
      handleProtocols: (_protocols, req) => chosenProtocol.get(req) ?? false,
    });
    const l: Listener = {
      port,
      server,
      wss,
      agent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
      sockets: new Set(),
    };
    server.on('request', (req, res) => onRequest(sandboxId, l, req, res));
    server.on('upgrade', (req, socket, head) => onUpgrade(sandboxId, l, req, socket, head));
    server.on('clientError', (_err, socket) => {
      if (socket.writable) writeRawError(socket, errors.badRequest('Malformed HTTP request'), newRequestId());
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: opts.host, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) =>
      opts.log?.error({ err, sandbox_id: sandboxId, port }, 'gateway listener error'),
    );
    const bound = server.address();
    if (bound && typeof bound === 'object') l.port = bound.port;
    listeners.set(sandboxId, l);
  }

  async function closeNow(sandboxId: string): Promise<void> {
    const l = listeners.get(sandboxId);
    if (!l) return;
    listeners.delete(sandboxId);
    for (const ws of l.sockets) ws.terminate();
    l.wss.close();
    const closed = new Promise<void>((resolve) => l.server.close(() => resolve()));
    l.server.closeAllConnections();
    l.agent.destroy();
    await closed;
  }

  /**
   * No gateway listener for this sandbox: the caller still proves the token before learning the
   * sandbox's state (paused, stopped...), so host names reveal nothing the port would not.
   */
  async function withoutListener(sandboxId: string, req: IncomingMessage, ws: boolean): Promise<never> {
    const token = extractToken(req, parseTarget(req), ws);
    await checkToken(opts.tokens, token, sandboxId, verified);
    requireRunning(opts.lookup(sandboxId));
    throw errors.agentUnavailable();
  }

  const close = (sandboxId: string) => serialized(sandboxId, () => closeNow(sandboxId));
  return {
    open: (sandboxId, port) => serialized(sandboxId, () => openNow(sandboxId, port)),
    close,
    async closeAll() {
      await Promise.all([...new Set([...listeners.keys(), ...lock.keys()])].map((id) => close(id)));
    },
    port: (sandboxId) => listeners.get(sandboxId)?.port,
    request(sandboxId, req, res) {
      const l = listeners.get(sandboxId);
      if (l) return onRequest(sandboxId, l, req, res);
      const cors = corsHeaders(req, opts.corsOrigins);
      withoutListener(sandboxId, req, false).catch((err: unknown) =>
        answerAfterBody(
          req,
          res,
          err instanceof GatewayError ? err : errors.agentUnavailable(),
          requestIdFor(req),
          cors,
        ),
      );
    },
    upgrade(sandboxId, req, socket, head) {
      const l = listeners.get(sandboxId);
      if (l) return onUpgrade(sandboxId, l, req, socket, head);
      socket.on('error', () => socket.destroy());
      withoutListener(sandboxId, req, true).catch((err: unknown) =>
        writeRawError(
          socket,
          err instanceof GatewayError ? err : errors.agentUnavailable(),
          requestIdFor(req),
          corsHeaders(req, opts.corsOrigins),
        ),
      );
    },
  };
}
