/**
 * One request or upgrade on a sandbox's agent address: CORS, the engine-issued sandbox JWT, then
 * the route: a local sandbox's agent socket (state checked on every request), or an upstream
 * sandbox's `public_host` (UpstreamAgents; the upstream judges its own state).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { UpstreamAgentTarget } from '../upstream/types.ts';
import {
  checkToken,
  corsHeaders,
  extractToken,
  isPreflight,
  originAllowed,
  parseTarget,
  preflightHeaders,
  requireRunning,
  type VerifiedTokens,
} from './access.ts';
import { GatewayError, errors, requestIdFor, sendError, writeRawError } from './errors.ts';
import { answerAfterBody, forwardHttp } from './http-proxy.ts';
import type { GatewayOptions } from './options.ts';
import { forwardUpstreamHttp, type UpstreamAgentPool } from './upstream-http.ts';
import { DEFAULT_UPSTREAM_TIMEOUTS } from './upstream-errors.ts';
import { forwardUpstreamUpgrade } from './upstream-ws.ts';
import { forwardUpgrade } from './ws-proxy.ts';

/** Where a sandbox's traffic is served from: its port's listener, or the engine's port by host name. */
export interface Conn {
  wss: WebSocketServer;
  /** The same without permessage-deflate, for browsers on loopback (see onUpgrade). */
  plainWss: WebSocketServer;
  agent: http.Agent;
  sockets: Set<WebSocket>;
  /** False once the port was closed (sandbox stopped or deleted) while a token was checked. */
  current(): boolean;
  /** Keep a connection through a close of the port until the returned release is called. */
  hold(socket: Socket): () => void;
}

type Route = { kind: 'local'; socketPath: string } | { kind: 'upstream'; target: UpstreamAgentTarget };

export function createHandlers(opts: GatewayOptions, verified: VerifiedTokens, pool: UpstreamAgentPool) {
  const jsonLimit = opts.jsonBodyLimit ?? 32 * 1024 * 1024;
  const maxPayload = opts.maxFrameBytes ?? 16 * 1024 * 1024;
  const timeouts = { ...DEFAULT_UPSTREAM_TIMEOUTS, ...opts.upstreamTimeouts };
  const forget = (id: string) => opts.upstream?.forget(id);

  /** A local sandbox is served from its own agent; else an upstream one the seam knows; else 404. */
  function route(sandboxId: string): Route {
    const local = opts.lookup(sandboxId);
    if (local) return { kind: 'local', socketPath: requireRunning(local).socketPath };
    const target = opts.upstream?.target(sandboxId);
    if (target) return { kind: 'upstream', target };
    throw errors.notFound();
  }

  async function authorize(sandboxId: string, c: Conn, req: IncomingMessage, url: URL, ws: boolean) {
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
    if (!c.current()) throw errors.agentUnavailable();
    return route(sandboxId);
  }

  function onRequest(sandboxId: string, c: Conn, req: IncomingMessage, res: ServerResponse): void {
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
    const known = () => opts.upstream?.target(sandboxId) != null;
    const common = { sandboxId, requestId, url, cors, jsonLimit, log: opts.log };
    authorize(sandboxId, c, req, url, false).then(
      (r) => {
        if (r.kind === 'local') {
          forwardHttp(req, res, {
            ...common,
            socketPath: r.socketPath,
            agent: c.agent,
            history: opts.history,
          });
          return;
        }
        res.once('close', c.hold(req.socket));
        forwardUpstreamHttp(req, res, {
          ...common,
          ...timeouts,
          target: r.target,
          forget,
          known,
          agents: pool,
        });
      },
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

  function onUpgrade(sandboxId: string, c: Conn, req: IncomingMessage, socket: Duplex, head: Buffer): void {
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
    const relay = {
      sandboxId,
      requestId,
      url,
      cors,
      maxPayload,
      heartbeatMs: opts.heartbeatMs ?? 30_000,
      browser: typeof origin === 'string',
      sdkPacingMs: opts.sdkFramePacingMs ?? 5,
      log: opts.log,
      track: (pair: [WebSocket, WebSocket]) => {
        for (const ws of pair) {
          c.sockets.add(ws);
          ws.once('close', () => c.sockets.delete(ws));
        }
      },
    };
    const known = () => opts.upstream?.target(sandboxId) != null;
    // A browser on this machine gets no permessage-deflate: nothing to save on loopback, and each
    // compressed frame costs a zlib round trip through the thread pool on both ends (~1.5 ms on a
    // warm run's first output). SDK clients keep it (their readers need it; see ws-outbox.ts).
    const wss = relay.browser && isLoopback(req.socket.remoteAddress) ? c.plainWss : c.wss;
    authorize(sandboxId, c, req, url, true).then(
      (r) =>
        r.kind === 'local'
          ? forwardUpgrade(wss, req, socket, head, {
              ...relay,
              socketPath: r.socketPath,
              history: opts.history,
            })
          : forwardUpstreamUpgrade(wss, req, socket, head, {
              ...relay,
              ...timeouts,
              target: r.target,
              forget,
              known,
            }),
      (err: unknown) => {
        if (!(err instanceof GatewayError))
          opts.log?.error({ err, sandbox_id: sandboxId }, 'gateway failure');
        writeRawError(socket, err instanceof GatewayError ? err : errors.agentUnavailable(), requestId, cors);
      },
    );
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

  return { onRequest, onUpgrade, withoutListener };
}

function isLoopback(address: string | undefined): boolean {
  return (
    address === '::1' || address?.startsWith('127.') === true || address?.startsWith('::ffff:127.') === true
  );
}
