/**
 * Forwarding `/v1` calls to an upstream (decision 0014). The upstream's status, body (error
 * envelopes included), `X-Request-ID`, `X-RateLimit-*` and `Retry-After` come through; Sandbox
 * objects are rewritten by UpstreamSandboxes so the upstream's JWT never leaves the server.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { badRequest, notFound } from '../errors.ts';
import type { UpstreamAnswer, UpstreamClient } from './client.ts';
import type { UpstreamSandboxes } from './sandboxes.ts';

const PASSED_HEADERS = [
  'x-request-id',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'retry-after',
];

/** Copy the upstream's request id and rate-limit headers onto our reply. */
export function passHeaders(reply: FastifyReply, a: UpstreamAnswer): void {
  for (const h of PASSED_HEADERS) {
    const v = a.headers.get(h);
    if (v !== null) reply.header(h, a.redact.text(v));
  }
}

/** Ids as HopX and this engine make them; anything else is nobody's sandbox (no upstream is asked). */
const SANDBOX_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Core routes whose 404 means the sandbox itself is gone (not, say, an execution id). */
const CORE_SUFFIX = /^(|\/(kill|pause|resume|start|stop|timeout|token\/refresh))$/;

type Obj = Record<string, unknown>;

/**
 * Only types a browser will not render as a page on the engine's origin (where the dashboard's
 * session cookie lives): an upstream's `text/html` or SVG becomes `fallback`.
 */
const SAFE_TYPE = /^(application\/(json|x-ndjson|octet-stream)|text\/(event-stream|plain))\s*(;|$)/i;
const safeType = (type: string | null, fallback: string) => (type && SAFE_TYPE.test(type) ? type : fallback);

const bodyOf = (req: FastifyRequest): unknown =>
  req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE'
    ? undefined
    : (req.body ?? undefined);

/** Send an upstream answer to the client, rewriting Sandbox objects on core routes. */
export async function relay(
  req: FastifyRequest,
  reply: FastifyReply,
  client: UpstreamClient,
  sandboxes: UpstreamSandboxes,
  a: UpstreamAnswer,
  id: string,
  suffix: string,
): Promise<FastifyReply> {
  passHeaders(reply, a);
  reply.code(a.status);
  if (a.response) {
    // Streams (logs followed as SSE) and non-JSON bodies go through as they are.
    reply.header('content-type', safeType(a.headers.get('content-type'), 'application/octet-stream'));
    const body = a.response.body;
    if (!body) return reply.send('');
    const out = Readable.fromWeb(body as WebReadableStream);
    const scrubbed = a.redact.stream();
    out.once('error', (err) => scrubbed.destroy(err));
    return reply.send(out.pipe(scrubbed));
  }
  const core = CORE_SUFFIX.test(suffix);
  if (a.status === 404 && core) sandboxes.forget(id);
  if (core && a.status < 300 && (suffix === '/kill' || (suffix === '' && req.method === 'DELETE'))) {
    sandboxes.forget(id);
  }
  const obj = a.json && typeof a.json === 'object' && !Array.isArray(a.json) ? (a.json as Obj) : null;
  if (core && a.status < 300 && obj?.id === id && req.method !== 'DELETE' && suffix !== '/kill') {
    // A Sandbox object (or a part of one): rewritten field by field.
    return reply.send(
      await sandboxes.present(client.name, obj, {
        refresh: suffix === '/token/refresh',
        token: suffix === '/token/refresh' || (suffix === '' && req.method === 'GET'),
      }),
    );
  }
  // Anything else passes on, with the upstream's JWT cut out should it appear.
  const scrubbed = id ? sandboxes.scrub(id, a.text) : a.text;
  const json = scrubbed === a.text || a.json === null ? a.json : (JSON.parse(scrubbed) as unknown);
  if (json === null) {
    if (a.text)
      reply.header('content-type', safeType(a.headers.get('content-type'), 'text/plain; charset=utf-8'));
    return reply.send(scrubbed);
  }
  return reply.send(json);
}

/**
 * preHandler for `/v1/sandboxes/:id/**` routes: an id the local store does not have but an
 * upstream does is forwarded there, so the local route (and the local service) never sees it.
 */
export function upstreamSandboxForwarder(sandboxes: UpstreamSandboxes): preHandlerAsyncHookHandler {
  return async function forwardUpstreamSandbox(req, reply) {
    const pattern = req.routeOptions.url ?? '';
    if (!pattern.startsWith('/v1/sandboxes/:id')) return;
    const id = (req.params as { id?: unknown }).id;
    if (typeof id !== 'string' || !id || sandboxes.isLocal(id)) return;
    if (!SANDBOX_ID_RE.test(id)) throw notFound(`Sandbox not found: ${id}`, { details: { sandbox_id: id } });
    const client = await sandboxes.resolve(id, String(req.id));
    if (!client) throw notFound(`Sandbox not found: ${id}`, { details: { sandbox_id: id } });
    const pathOnly = req.url.split('?')[0] ?? '';
    const prefix = `/v1/sandboxes/${encodeURIComponent(id)}`;
    if (!pathOnly.startsWith(prefix)) throw badRequest('Invalid path: write the sandbox id as it is');
    const suffix = pathOnly.slice(prefix.length);
    const path = `${prefix}${suffix}${req.url.slice(pathOnly.length)}`;
    // Dot segments (`..`, `%2e%2e`) would be resolved by the URL parser into another upstream
    // path (say the sandbox itself, with the upstream's token, through a route that is not
    // rewritten): forward only paths that stay exactly what the client asked for.
    if (new URL(path, 'http://upstream.invalid').pathname !== `${prefix}${suffix}`)
      throw badRequest('Invalid path: dot segments are not allowed');
    // Nor encoded slashes, backslashes or dots: a proxy in front of the cloud may decode them and
    // then resolve the path. No route under a sandbox has them in an honest id (execution, port).
    if (/%(2f|5c|2e)/i.test(suffix))
      throw badRequest('Invalid path: encoded slashes and dots are not allowed');
    const closed = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableEnded) closed.abort();
    };
    reply.raw.once('close', onClose);
    const a = await client.call({
      method: req.method,
      path,
      body: bodyOf(req),
      requestId: String(req.id),
      stream: req.method === 'GET' && !CORE_SUFFIX.test(suffix),
      signal: closed.signal,
    });
    if (!a.response) reply.raw.off('close', onClose);
    return relay(req, reply, client, sandboxes, a, id, suffix);
  };
}
