/**
 * The HopX error envelope and request ids, as the gateway writes them on plain HTTP responses and
 * on raw sockets (a refused WebSocket upgrade is answered before any handshake).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import type { ErrorEnvelope } from '../../contract/schemas.ts';
import { errorEnvelope, requestIdFrom } from '../../contract/wire.ts';

/** Reuse a well-formed `X-Request-ID` sent by the client; otherwise mint a fresh `req_…` id. */
export function requestIdFor(req: IncomingMessage): string {
  return requestIdFrom(req.headers['x-request-id']);
}

export class GatewayError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Partial<ErrorEnvelope> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function envelope(err: GatewayError, requestId: string, path?: string): ErrorEnvelope {
  return errorEnvelope(err.code, err.message, requestId, {
    ...(path === undefined ? {} : { path }),
    ...err.extra,
  });
}

/** Answer a plain HTTP request with the envelope (no-op if headers already went out). */
export function sendError(
  res: ServerResponse,
  err: GatewayError,
  requestId: string,
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(envelope(err, requestId));
  res.writeHead(err.statusCode, {
    ...extraHeaders,
    ...err.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** Answer on a raw socket (a refused WebSocket upgrade, a malformed request): status line, headers, envelope. */
export function writeRawError(
  socket: Duplex,
  err: GatewayError,
  requestId: string,
  extraHeaders: Record<string, string> = {},
): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(envelope(err, requestId));
  const headers: Record<string, string | number> = {
    ...extraHeaders,
    ...err.headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'X-Request-ID': requestId,
    Connection: 'close',
  };
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  socket.end(
    `HTTP/1.1 ${err.statusCode} ${STATUS_CODES[err.statusCode] ?? 'Error'}\r\n${head}\r\n\r\n${body}`,
  );
}

export const errors = {
  notFound: () =>
    new GatewayError(404, 'SANDBOX_NOT_FOUND', 'Sandbox not found', { details: { status: 'deleted' } }),
  paused: () =>
    new GatewayError(
      409,
      'SANDBOX_PAUSED',
      'Sandbox is paused; resume it first (POST /v1/sandboxes/{id}/resume)',
      {
        status: 'paused',
      },
    ),
  stopped: () =>
    new GatewayError(
      409,
      'SANDBOX_STOPPED',
      'Sandbox is stopped; start it first (POST /v1/sandboxes/{id}/start)',
      {
        status: 'stopped',
      },
    ),
  creating: () =>
    new GatewayError(409, 'SANDBOX_CREATING', 'Sandbox is still being created; retry in a moment', {
      status: 'creating',
    }),
  failed: () =>
    new GatewayError(409, 'CONFLICT', 'Sandbox is in the error state; delete it', { status: 'error' }),
  authMissing: () =>
    new GatewayError(
      401,
      'AUTHENTICATION_REQUIRED',
      'Missing sandbox token: send Authorization: Bearer <auth_token>',
    ),
  tokenInQuery: () =>
    new GatewayError(
      401,
      'AUTHENTICATION_REQUIRED',
      'The token query parameter is accepted only on WebSocket upgrades; send Authorization: Bearer <auth_token>',
    ),
  forbiddenOrigin: () => new GatewayError(403, 'FORBIDDEN', 'Origin not allowed'),
  tooLarge: (limit: number) =>
    new GatewayError(413, 'PAYLOAD_TOO_LARGE', `JSON request body exceeds the limit of ${limit} bytes`),
  agentUnavailable: () =>
    new GatewayError(502, 'SERVICE_UNAVAILABLE', 'The sandbox agent is not reachable; retry in a moment'),
  upstreamUnavailable: (backend: string) =>
    new GatewayError(502, 'UPSTREAM_UNAVAILABLE', `Backend "${backend}" is not reachable; retry in a moment`),
  upstreamTimeout: (backend: string) =>
    new GatewayError(504, 'UPSTREAM_TIMEOUT', `Backend "${backend}" did not answer in time`),
  badRequest: (message: string) => new GatewayError(400, 'INVALID_REQUEST', message),
  throttled: (retryAfter: number) =>
    new GatewayError(
      429,
      'RATE_LIMIT_EXCEEDED',
      `Too many invalid sandbox tokens from this address; retry in ${retryAfter} s`,
      { retry_after: retryAfter, details: { retry_after_seconds: retryAfter } },
      { 'retry-after': String(retryAfter) },
    ),
};
