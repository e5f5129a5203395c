/**
 * The HopX error envelope: `{error, message, code, request_id, ...}` for every error the engine
 * returns, whatever raised it (our handlers, Fastify's parsers, the rate limiter, unknown routes).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { drainRequest } from './lib/drain.ts';
import { errorEnvelope } from '../contract/wire.ts';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    /** Response headers that go with this error (e.g. `Retry-After`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new HttpError(400, 'INVALID_REQUEST', message, details ? { details } : {});
export const notFound = (message: string, extra: Record<string, unknown> = {}) =>
  new HttpError(404, 'RESOURCE_NOT_FOUND', message, extra);
export const conflict = (message: string, status: string) =>
  new HttpError(409, 'CONFLICT', message, { status });

/** A path segment as a reader can see it: odd keys (a NUL, a newline) are shown JSON-quoted. */
const segment = (p: PropertyKey) =>
  typeof p === 'string' && !/^[\w.-]*$/.test(p) ? JSON.stringify(p) : String(p);

/** Validate input with a zod schema; failures become 400 INVALID_REQUEST naming the fields. */
export function parseInput<T extends z.ZodType>(schema: T, data: unknown, where = 'body'): z.infer<T> {
  const r = schema.safeParse(data ?? (where === 'body' ? undefined : {}));
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    // A record key that fails its own schema: say why, not just "Invalid key in record".
    const inner = i.code === 'invalid_key' ? i.issues[0]?.message : undefined;
    return { path: i.path.map(segment).join('.'), message: inner ?? i.message };
  });
  const first = issues[0];
  const msg = first
    ? `Invalid ${where}: ${first.path ? `${first.path}: ` : ''}${first.message}`
    : `Invalid ${where}`;
  throw badRequest(msg, { issues });
}

export function envelope(req: FastifyRequest, status: number, code: string, message: string, extra = {}) {
  return {
    ...errorEnvelope(code, message, String(req.id), { path: req.url.split('?')[0] }),
    ...extra,
    status_code: status,
  };
}

/**
 * Send an error, after reading what is left of the request body: an early answer (413, 401, 429
 * before the body was read) followed by a close would reach the client as a reset connection.
 */
async function sendError(reply: FastifyReply, status: number, body: Record<string, unknown>) {
  // status_code is a helper for the line above only; the `status` key is reserved for 409s.
  delete body.status_code;
  const raw = reply.request.raw;
  if (!raw.complete && !(await drainRequest(raw))) reply.header('connection', 'close');
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** The data directory's disk is full: SQLite's SQLITE_FULL, or ENOSPC/EDQUOT from a file write. */
export function isOutOfSpace(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT';
}

const OUT_OF_SPACE = {
  status: 507,
  code: 'INSUFFICIENT_STORAGE',
  message: "The engine's data directory is out of disk space; nothing was changed. Free some space and retry",
};

function classify(err: FastifyError & { retryAfter?: number }): {
  status: number;
  code: string;
  message: string;
  extra?: object;
} {
  if (err instanceof HttpError)
    return { status: err.statusCode, code: err.code, message: err.message, extra: err.extra };
  if (err.validation) return { status: 400, code: 'INVALID_REQUEST', message: err.message };
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'Send JSON (Content-Type: application/json)',
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: 'INVALID_JSON', message: 'Request body is not valid JSON' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'INVALID_REQUEST', message: 'Invalid Content-Length' };
  }
  if (isOutOfSpace(err)) return OUT_OF_SPACE;
  if (err instanceof SyntaxError || err.statusCode === 400) {
    return {
      status: 400,
      code: err instanceof SyntaxError ? 'INVALID_JSON' : 'INVALID_REQUEST',
      message: err.message,
    };
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return { status: err.statusCode, code: 'INVALID_REQUEST', message: err.message };
  }
  return { status: 500, code: 'INTERNAL_ERROR', message: 'Internal error' };
}

/** Install on the root instance: every error answers with the envelope. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const c = classify(err);
    // Answers we chose (an upstream down, a full disk, no free port) are one warn line each; only
    // the unexpected gets the stack (an outage would otherwise flood the log with traces).
    if (c.status >= 500 && err instanceof HttpError)
      req.log.warn({ code: c.code, status: c.status }, c.message);
    else if (c.status >= 500) req.log.error({ err }, 'request failed');
    if (err instanceof HttpError) reply.headers(err.headers);
    return sendError(reply, c.status, envelope(req, c.status, c.code, c.message, c.extra));
  });
}

export function sendRouteNotFound(req: FastifyRequest, reply: FastifyReply) {
  const path = req.url.split('?')[0];
  return sendError(
    reply,
    404,
    envelope(req, 404, 'RESOURCE_NOT_FOUND', `Route ${req.method} ${path} not found`),
  );
}

/** Errors Fastify raises before routing (bad URL encoding, over-long parameters): same envelope. */
export function sendFrameworkError(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const status = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
  const message = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path parameter is too long' : 'Malformed URL';
  reply.header('X-Request-ID', req.id).header('X-Content-Type-Options', 'nosniff');
  return sendError(reply, status, envelope(req, status, 'INVALID_REQUEST', message));
}
