/**
 * WebSocket forwarding: the upstream socket to the agent (`ws+unix://`) opens first, and only then
 * is the client's handshake completed, so an unreachable agent gets a clear HTTP error. Frames are
 * relayed both ways with backpressure; both sides close together. `/execute/stream` runs are
 * observed for the history without touching the frames.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { type RawData, type WebSocketServer } from 'ws';
import { GatewayError, errors, writeRawError } from './errors.ts';
import { forwardedPath } from './access.ts';
import { StreamObserver } from './stream-history.ts';
import { Outbox } from './ws-outbox.ts';
import type { HistorySink } from './history.ts';
import type { ErrorEnvelope } from '../../contract/schemas.ts';
import type { GatewayLogger } from './types.ts';

/** How a connected pair is relayed (local agent or upstream alike). */
export interface RelayOptions {
  sandboxId: string;
  requestId: string;
  url: URL;
  cors: Record<string, string>;
  maxPayload: number;
  /** The upgrade carried an Origin header (a browser): no pacing. */
  browser: boolean;
  /** Minimum gap between frames of a burst sent to a non-browser client (see ws-outbox.ts). */
  sdkPacingMs: number;
  /** Ping the client this often; one without a pong by the next ping is cut. */
  heartbeatMs: number;
  history?: HistorySink;
  log?: GatewayLogger;
  /** Called with the connected pair, so the gateway can cut them when the sandbox goes away. */
  track(pair: [WebSocket, WebSocket]): void;
}

export interface WsForward extends RelayOptions {
  socketPath: string;
}

/** The subprotocol the agent chose, for the server's `handleProtocols`. */
export const chosenProtocol = new WeakMap<IncomingMessage, string>();

export const HANDSHAKE_TIMEOUT_MS = 10_000;
const ERROR_BODY_LIMIT = 64 * 1024;
/** Frames to a browser smaller than this are not compressed (ws's own default threshold). */
const BROWSER_COMPRESS_FROM = 1024;

export function forwardUpgrade(
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  f: WsForward,
): void {
  openAgentSocket(`ws+unix://${f.socketPath}:${forwardedPath(f.url)}`, req, socket, {
    headers: { 'x-request-id': f.requestId },
    maxPayload: f.maxPayload,
    perMessageDeflate: false,
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
  }).then(
    (upstream) => acceptUpgrade(wss, req, socket, head, upstream, f),
    (err: unknown) => {
      if (!(err instanceof GatewayError))
        f.log?.warn({ err, sandbox_id: f.sandboxId, request_id: f.requestId }, 'agent websocket failed');
      writeRawError(
        socket,
        err instanceof GatewayError ? err : errors.agentUnavailable(),
        f.requestId,
        f.cors,
      );
    },
  );
}

/**
 * Open the agent side of an upgrade with the subprotocols the client asked for. Resolves once
 * open; rejects with a GatewayError carrying the agent's refusal (status and envelope), or with
 * the network error; a client that goes away first cancels it.
 */
export function openAgentSocket(
  address: string,
  req: IncomingMessage,
  socket: Duplex,
  options: WebSocket.ClientOptions,
): Promise<WebSocket> {
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return new Promise((resolve, reject) => {
    const upstream = new WebSocket(address, protocols, options);
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      socket.off('close', onClientGone);
      fn();
    };
    const onClientGone = () =>
      settle(() => {
        upstream.terminate();
        reject(new Error('client went away'));
      });
    socket.once('close', onClientGone);
    upstream.once('unexpected-response', (_r, agentRes) => {
      upstream.on('error', () => undefined);
      const chunks: Buffer[] = [];
      let size = 0;
      agentRes.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= ERROR_BODY_LIMIT) chunks.push(c);
      });
      agentRes.on('error', (err) => settle(() => reject(err)));
      agentRes.on('end', () =>
        settle(() => reject(refusal(agentRes.statusCode ?? 502, Buffer.concat(chunks), agentRes.headers))),
      );
    });
    upstream.once('error', (err) => settle(() => reject(err)));
    upstream.once('open', () => settle(() => resolve(upstream)));
  });
}

/** The agent's refusal of an upgrade as an envelope for the client (status, code, message). */
function refusal(status: number, raw: Buffer, headers: IncomingMessage['headers']): GatewayError {
  let body: { message?: unknown; error?: unknown; code?: unknown; status?: unknown; details?: unknown } = {};
  try {
    body = JSON.parse(raw.toString('utf8')) as typeof body;
  } catch {
    // not JSON: fall back to a generic message below
  }
  const message =
    typeof body.message === 'string'
      ? body.message
      : typeof body.error === 'string'
        ? body.error
        : 'Upgrade refused by the agent';
  const code = typeof body.code === 'string' ? body.code : 'INVALID_REQUEST';
  const extra = {
    ...(typeof body.status === 'string' ? { status: body.status.slice(0, 32) } : {}),
    ...(body.details && typeof body.details === 'object' ? { details: body.details } : {}),
  };
  const retryAfter = headers['retry-after'];
  return new GatewayError(
    status >= 400 && status <= 599 ? status : 502,
    code.slice(0, 64),
    message.slice(0, 1000),
    extra as Partial<ErrorEnvelope>,
    typeof retryAfter === 'string' && /^\d{1,6}$/.test(retryAfter) ? { 'retry-after': retryAfter } : {},
  );
}

/** Complete the client's handshake over an open agent socket and relay the pair. */
export function acceptUpgrade(
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  upstream: WebSocket,
  f: RelayOptions,
): void {
  if (!socket.writable) {
    upstream.terminate();
    return;
  }
  if (upstream.protocol) chosenProtocol.set(req, upstream.protocol);
  wss.handleUpgrade(req, socket, head, (client) => {
    f.track([client, upstream]);
    relay(client, upstream, f);
  });
}

function sendableCode(code: number, fallback: number): number {
  if (code === 1000 || (code >= 1001 && code <= 1014 && ![1004, 1005, 1006].includes(code))) return code;
  if (code >= 3000 && code <= 4999) return code;
  return fallback;
}

function sendableReason(reason: Buffer): string {
  return reason.length <= 123 ? reason.toString('utf8') : '';
}

function relay(client: WebSocket, upstream: WebSocket, f: RelayOptions): void {
  const observer =
    f.history && f.url.pathname === '/execute/stream'
      ? new StreamObserver(f.sandboxId, f.history, f.log)
      : null;
  let clientClosedFirst = false;

  // Frames to a non-browser client that did not negotiate permessage-deflate are paced; see
  // ws-outbox.ts. Browsers queue every frame; a deflating client inflates each in its own callback.
  const deflating = client.extensions.includes('permessage-deflate');
  // Browsers get small frames uncompressed (they never drop one); SDKs get every frame deflated.
  const toClient = new Outbox(
    client,
    upstream,
    f.browser || deflating ? 0 : f.sdkPacingMs,
    f.browser ? BROWSER_COMPRESS_FROM : 0,
  );
  const toAgent = new Outbox(upstream, client, 0);
  const pipe = (from: WebSocket, out: Outbox, observe: ((text: string) => void) | null) => {
    from.on('message', (data: RawData, isBinary: boolean) => {
      // Relay first: the history (a SQLite write on `start`) must not delay the frame.
      out.push(data, isBinary);
      if (observe && !isBinary) {
        try {
          observe(data.toString());
        } catch (err) {
          f.log?.warn({ err, sandbox_id: f.sandboxId }, 'run history observer failed');
        }
      }
    });
  };
  pipe(client, toAgent, observer ? (t) => observer.fromClient(t) : null);
  pipe(upstream, toClient, observer ? (t) => observer.fromAgent(t) : null);

  const closeOther = (other: WebSocket, code: number, reason: Buffer, fallback: number) => {
    if (other.readyState === WebSocket.OPEN)
      other.close(sendableCode(code, fallback), sendableReason(reason));
    else if (other.readyState === WebSocket.CONNECTING) other.terminate();
  };
  // Heartbeat towards the client: a peer that vanished without a FIN (a sleeping laptop) would
  // otherwise keep the agent's side (a terminal, a run) open for ever.
  let alive = true;
  client.on('pong', () => (alive = true));
  const heartbeat = setInterval(() => {
    if (!alive) return void client.terminate();
    alive = false;
    client.ping();
  }, f.heartbeatMs);
  heartbeat.unref();
  client.once('close', () => clearInterval(heartbeat));

  client.on('close', (code, reason) => {
    if (upstream.readyState === WebSocket.OPEN) clientClosedFirst = true;
    toClient.clear();
    closeOther(upstream, code, reason, 1000);
    observer?.closed(clientClosedFirst);
  });
  // The agent's last frames may still be queued (pacing): deliver them, then close.
  upstream.on('close', (code, reason) =>
    toClient.whenFlushed(() => {
      closeOther(client, code, reason, 1011);
      observer?.closed(clientClosedFirst);
    }),
  );
  // A protocol error on one side (e.g. a frame over maxPayload): ws fails that socket itself; the
  // other side gets a proper close (1009 "too big" or 1011) rather than a dropped connection.
  const onError = (side: WebSocket, other: WebSocket, name: string) => (err: Error & { code?: string }) => {
    f.log?.info({ err: err.message, side: name, sandbox_id: f.sandboxId }, 'websocket relay error');
    const code = err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 1009 : 1011;
    if (other.readyState === WebSocket.OPEN)
      other.close(code, name === 'agent' ? 'Agent frame rejected' : 'Client frame rejected');
    if (side.readyState !== WebSocket.CLOSED) setTimeout(() => side.terminate(), 1000).unref();
  };
  client.on('error', onError(client, upstream, 'client'));
  upstream.on('error', onError(upstream, client, 'agent'));
}
