/**
 * The agent gateway: one loopback HTTP server per running sandbox, whose URL is the sandbox's
 * `public_host`, or, under a public URL, its `7777-<id>.<host>` name on the engine's port (issue 13).
 * Each request is checked (CORS, sandbox JWT, sandbox state) and forwarded to the agent's unix
 * socket, or for a sandbox on an upstream backend to the upstream's agent host with the upstream's
 * own token (handlers.ts); see docs/decisions/0004-gateway.md and 0014-upstream.md.
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { KeyedLock } from '../lib/locks.ts';
import { newRequestId } from '../../contract/wire.ts';
import { corsHeaders, VerifiedTokens } from './access.ts';
import { GatewayError, errors, writeRawError, requestIdFor } from './errors.ts';
import { createHandlers, type Conn } from './handlers.ts';
import { answerAfterBody } from './http-proxy.ts';
import type { GatewayOptions } from './options.ts';
import { upstreamAgentPool } from './upstream-http.ts';
import { chosenProtocol } from './ws-proxy.ts';

export type { HistorySink } from './history.ts';
export { HISTORY_LIMITS, historyFromRepository } from './history.ts';
export type { GatewayLogger } from './types.ts';
export type { GatewayOptions } from './options.ts';

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

interface Listener extends Conn {
  port: number;
  server: http.Server;
  /** Open client connections (not the upgraded ones: `sockets` has those). */
  conns: Set<Socket>;
  /** Connections with an upstream request in flight: given a moment to finish at close. */
  held: Set<Socket>;
}

/**
 * Grace for an upstream answer still being written when the port closes. The control plane closes
 * it when it learns the sandbox is gone upstream, often while this very request is being answered
 * 404: the client must get that envelope, not a cut connection.
 */
const HELD_GRACE_MS = 5_000;

export function createGateway(opts: GatewayOptions): Gateway {
  const listeners = new Map<string, Listener>();
  const maxPayload = opts.maxFrameBytes ?? 16 * 1024 * 1024;
  const verified = new VerifiedTokens();
  const pool = upstreamAgentPool();
  const { onRequest, onUpgrade, withoutListener } = createHandlers(opts, verified, pool);
  const newWss = (deflate: boolean) =>
    new WebSocketServer({
      noServer: true,
      maxPayload,
      // Compress every frame (threshold 0) when the client offers it, as the SDKs' ws does: the
      // client then inflates each frame in its own callback, which the SDK readers need (see
      // ws-outbox.ts). Level 1: cheap; the frames are mostly small JSON. The plain server is for
      // browsers on loopback (handlers.ts), where compression saves nothing and costs a zlib
      // round trip per frame each way.
      // clientNoContextTakeover: a `ws` client (the SDKs) then sends frames under its 1 KiB
      // threshold uncompressed, so the gateway does not inflate each small `execute` frame.
      perMessageDeflate: deflate
        ? { threshold: 0, zlibDeflateOptions: { level: 1 }, clientNoContextTakeover: true }
        : false,
      handleProtocols: (_protocols, req) => chosenProtocol.get(req) ?? false,
    });
  // Upstream sandboxes reached by host name on the engine's port (public URL) have no listener:
  // one shared WebSocket server, and their sockets per id so close(id) still cuts them.
  let namedWss: WebSocketServer | undefined;
  let namedPlainWss: WebSocketServer | undefined;
  const named = new Map<string, Conn>();
  function namedConn(sandboxId: string): Conn {
    let c = named.get(sandboxId);
    if (!c) {
      namedWss ??= newWss(true);
      namedPlainWss ??= newWss(false);
      c = {
        wss: namedWss,
        plainWss: namedPlainWss,
        agent: pool.http,
        sockets: new Set(),
        current: () => true,
        hold: () => () => undefined,
      };
      named.set(sandboxId, c);
    }
    return c;
  }

  // One open/close at a time per sandbox, so concurrent calls never leave two listeners behind.
  const lock = new KeyedLock();
  const serialized = (sandboxId: string, op: () => Promise<void>) => lock.run(sandboxId, op);

  async function openNow(sandboxId: string, port: number): Promise<void> {
    const existing = listeners.get(sandboxId);
    if (existing?.port === port) return;
    if (existing) await closeNow(sandboxId);
    const server = http.createServer({ requestTimeout: 0, headersTimeout: 60_000 });
    const l: Listener = {
      port,
      server,
      wss: newWss(true),
      plainWss: newWss(false),
      agent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
      sockets: new Set(),
      conns: new Set(),
      held: new Set(),
      current: () => listeners.get(sandboxId) === l,
      hold(socket) {
        l.held.add(socket);
        return () => {
          l.held.delete(socket);
          if (!l.current()) socket.end();
        };
      },
    };
    server.on('connection', (socket) => {
      l.conns.add(socket);
      socket.once('close', () => l.conns.delete(socket));
    });
    server.on('request', (req, res) => onRequest(sandboxId, l, req, res));
    server.on('upgrade', (req, socket, head) => {
      l.conns.delete(socket as Socket);
      onUpgrade(sandboxId, l, req, socket, head);
    });
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
    for (const ws of named.get(sandboxId)?.sockets ?? []) ws.terminate();
    named.delete(sandboxId);
    const l = listeners.get(sandboxId);
    if (!l) return;
    listeners.delete(sandboxId);
    for (const ws of l.sockets) ws.terminate();
    l.wss.close();
    l.plainWss.close();
    const closed = new Promise<void>((resolve) => l.server.close(() => resolve()));
    for (const socket of l.conns) {
      if (l.held.has(socket)) setTimeout(() => socket.destroy(), HELD_GRACE_MS).unref();
      else socket.destroy();
    }
    l.agent.destroy();
    await closed;
  }

  const close = (sandboxId: string) => serialized(sandboxId, () => closeNow(sandboxId));
  return {
    open: (sandboxId, port) => serialized(sandboxId, () => openNow(sandboxId, port)),
    close,
    async closeAll() {
      const ids = new Set([...listeners.keys(), ...named.keys(), ...lock.keys()]);
      await Promise.all([...ids].map((id) => close(id)));
      namedWss?.close();
      namedWss = undefined;
      namedPlainWss?.close();
      namedPlainWss = undefined;
      pool.http.destroy();
      pool.https.destroy();
    },
    port: (sandboxId) => listeners.get(sandboxId)?.port,
    request(sandboxId, req, res) {
      const l = listeners.get(sandboxId);
      if (l) return onRequest(sandboxId, l, req, res);
      if (opts.upstream?.target(sandboxId)) return onRequest(sandboxId, namedConn(sandboxId), req, res);
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
      if (opts.upstream?.target(sandboxId))
        return onUpgrade(sandboxId, namedConn(sandboxId), req, socket, head);
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
