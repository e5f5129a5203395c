/**
 * The frames origin: a second, minimal HTTP origin of the engine that serves only the page which
 * renders untrusted HTML outputs. It has its own CSP (scripts yes, network no) and may be framed only
 * by the dashboard. main.ts listens on `--frames-port`; this module never listens.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { errorEnvelope, newRequestId } from '../../contract/wire.ts';
import { FRAME_CSS, FRAME_JS, frameHtml, framesCsp, normaliseOrigins } from './frame-assets.ts';

export interface FramesAppOptions {
  /** Origins allowed to embed the frame (e.g. `http://127.0.0.1:7070`), used for frame-ancestors. */
  dashboardOrigins: string[];
}

export function createFramesApp(opts: FramesAppOptions): FastifyInstance {
  const origins = normaliseOrigins(opts.dashboardOrigins);
  const csp = framesCsp(origins);
  const html = frameHtml(origins);
  const app = Fastify({ logger: false, genReqId: newRequestId, bodyLimit: 1024 });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-ID', request.id);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Cross-Origin-Resource-Policy', 'cross-origin');
    reply.header('Content-Security-Policy', csp);
    reply.header('Cache-Control', 'no-cache');
  });

  app.get('/frame.html', async (_request, reply) => reply.type('text/html; charset=utf-8').send(html));
  app.get('/frame.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(FRAME_JS),
  );
  app.get('/frame.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(FRAME_CSS));

  app.setNotFoundHandler(async (request, reply) => {
    const message = `Not found: the frames origin serves only /frame.html`;
    return reply
      .code(404)
      .send(errorEnvelope('RESOURCE_NOT_FOUND', message, request.id, { path: request.url.split('?')[0] }));
  });

  app.setErrorHandler(async (error: { statusCode?: number; message?: string }, request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    const message = status === 500 ? 'Internal error' : (error.message ?? 'Bad request');
    return reply
      .code(status)
      .send(errorEnvelope(status === 500 ? 'INTERNAL_ERROR' : 'INVALID_REQUEST', message, request.id));
  });

  return app;
}
