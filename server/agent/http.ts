/**
 * Minimal HTTP plumbing for the agent (Node builtins only): JSON replies, the HopX error envelope,
 * bounded body reading and a method+path router.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { errorEnvelope, requestIdFrom, rfc3339 } from '../../contract/wire.ts';

export const MAX_JSON_BODY = 8 * 1024 * 1024;

export const nowIso = (): string => rfc3339();

export class AgentError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  requestId: string;
}

export function requestIdOf(req: IncomingMessage): string {
  return requestIdFrom(req.headers['x-request-id']);
}

export function sendJson(ctx: Ctx, status: number, body: unknown): void {
  // Already answered (e.g. by the per-request deadline in main.ts): a late result is dropped.
  if (ctx.res.headersSent) return;
  const text = JSON.stringify(body);
  ctx.res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-request-id': ctx.requestId,
  });
  ctx.res.end(text);
}

export function sendError(ctx: Ctx, err: AgentError): void {
  sendJson(
    ctx,
    err.status,
    errorEnvelope(err.code, err.message, ctx.requestId, { path: ctx.url.pathname, ...err.extra }),
  );
}

/**
 * Read a whole body, at most `limit` bytes. Plain 'data'/'end' listeners rather than an async
 * iterator: a warm `print(1)` is a ~1 ms request, and the iterator's promise per chunk showed up.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit)
    return Promise.reject(new AgentError(413, 'INVALID_REQUEST', `Body larger than ${limit} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (buf: Buffer) => {
      size += buf.length;
      if (size > limit) {
        cleanup();
        // As an async iterator's early exit did: the rest of the body is not read.
        req.destroy();
        reject(new AgentError(413, 'INVALID_REQUEST', `Body larger than ${limit} bytes`));
        return;
      }
      chunks.push(buf);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onClose = () => {
      if (req.complete) return;
      cleanup();
      reject(new Error('request closed before its body ended'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Read a JSON body and validate it; an empty body counts as `{}`. */
export async function readJson<T extends z.ZodType>(ctx: Ctx, schema: T): Promise<z.infer<T>> {
  const raw = await readBody(ctx.req, MAX_JSON_BODY);
  let data: unknown = {};
  if (raw.length > 0) {
    try {
      data = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new AgentError(400, 'INVALID_JSON', 'Request body is not valid JSON');
    }
  }
  return parseWith(schema, data);
}

export function parseWith<T extends z.ZodType>(schema: T, data: unknown): z.infer<T> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new AgentError(400, 'INVALID_REQUEST', `Invalid request: ${where}${issue?.message ?? 'bad input'}`);
  }
  return parsed.data;
}

export type Handler = (ctx: Ctx) => Promise<void> | void;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export class Router {
  readonly #routes: Route[] = [];

  on(method: string, path: string, handler: Handler): this {
    this.#routes.push({ method, parts: path.split('/').filter(Boolean), handler });
    return this;
  }

  match(
    method: string,
    pathname: string,
  ): { handler: Handler; params: Record<string, string> } | 'method' | null {
    const parts = pathname.split('/').filter(Boolean);
    let methodMismatch = false;
    for (const route of this.#routes) {
      if (route.parts.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = route.parts.every((p, i) => {
        const seg = parts[i] ?? '';
        if (p.startsWith(':')) {
          params[p.slice(1)] = decodeURIComponent(seg);
          return true;
        }
        return p === seg;
      });
      if (!ok) continue;
      if (route.method !== method && !(route.method === 'GET' && method === 'HEAD')) {
        methodMismatch = true;
        continue;
      }
      return { handler: route.handler, params };
    }
    return methodMismatch ? 'method' : null;
  }
}
