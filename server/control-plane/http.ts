/**
 * Cross-cutting HTTP concerns of the control plane: request ids, security headers, CORS for the
 * dev origin, `request_id` in JSON bodies, and the dashboard (dist/web) with its SPA fallback.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { requestIdFrom } from '../../contract/wire.ts';
import { sendRouteNotFound } from '../errors.ts';

export function genRequestId(req: { headers: Record<string, string | string[] | undefined> }): string {
  return requestIdFrom(req.headers['x-request-id']);
}

/** `connectSources`: agent hosts under a public URL (`https://*.host:port wss://*.host:port`, 0013). */
export function dashboardCsp(framesOrigin: string, connectSources: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    [
      "connect-src 'self' http://127.0.0.1:* ws://127.0.0.1:* http://localhost:* ws://localhost:*",
      ...connectSources,
    ].join(' '),
    "worker-src 'self' blob:",
    `frame-src ${framesOrigin}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

const API_PREFIXES = ['/v1/', '/v1?', '/auth/', '/health'];
const isApiPath = (url: string) => url === '/v1' || API_PREFIXES.some((p) => url.startsWith(p));

export function installHttpBasics(
  app: FastifyInstance,
  opts: { framesOrigin: string; corsOrigins: string[]; connectSources?: string[] },
) {
  const csp = dashboardCsp(opts.framesOrigin, opts.connectSources);
  // The SDKs POST lifecycle actions with `Content-Type: application/json` and no body: treat an
  // empty body as none, and parse the rest with Fastify's own (prototype-poisoning-safe) parser.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && body.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(req, body as string, done);
  });
  app.addHook('onRequest', async (req, reply) => {
    reply.header('X-Request-ID', req.id);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Content-Security-Policy', csp);
    // API answers carry keys, tokens and live state: never cache them.
    if (isApiPath(req.url)) reply.header('Cache-Control', 'no-store');
    const origin = req.headers.origin;
    if (origin && opts.corsOrigins.includes(origin)) {
      reply.header('Access-Control-Allow-Origin', origin);
      reply.header('Access-Control-Allow-Credentials', 'true');
      reply.header(
        'Access-Control-Expose-Headers',
        'X-Request-ID, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After',
      );
      reply.header('Vary', 'Origin');
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
        reply.header('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
        reply.header('Access-Control-Allow-Headers', 'Content-Type, X-API-Key, Authorization, X-Request-ID');
        reply.header('Access-Control-Max-Age', '600');
        return reply.code(204).send();
      }
    }
  });
  // HopX bodies carry request_id too (clients read it from the body or the header).
  app.addHook('preSerialization', async (req, _reply, payload) => {
    if (payload && typeof payload === 'object' && !Array.isArray(payload) && !('request_id' in payload)) {
      return { ...(payload as object), request_id: req.id };
    }
    return payload;
  });
}

/** Serve the built dashboard; other GETs that are not API paths get index.html (client routing). */
export async function installSpa(app: FastifyInstance, webDir: string | null): Promise<void> {
  const hasWeb = webDir !== null && existsSync(join(webDir, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, {
      root: webDir,
      wildcard: false,
      index: false,
      setHeaders: (res, path) => {
        if (path.includes(`${join(webDir, 'assets')}`))
          res.header('Cache-Control', 'public, max-age=31536000, immutable');
        else res.header('Cache-Control', 'no-cache');
      },
    });
  }
  app.setNotFoundHandler(async (req, reply) => {
    const wantsPage = (req.method === 'GET' || req.method === 'HEAD') && !isApiPath(req.url);
    if (!wantsPage) return sendRouteNotFound(req, reply);
    if (hasWeb) {
      const file = req.url.split('?')[0] ?? '/';
      // Static files exist under webDir; anything else is a client-side route.
      if (file !== '/' && existsSync(join(webDir, file)) && !file.includes('..'))
        return reply.sendFile(file.slice(1));
      return reply.header('Cache-Control', 'no-cache').sendFile('index.html');
    }
    return reply
      .type('text/html; charset=utf-8')
      .send(
        '<!doctype html><title>Hopdeck</title><p>The dashboard is not built. Run <code>npm run build</code>.</p>',
      );
  });
}
