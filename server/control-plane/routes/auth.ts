/**
 * Backend for frontend: the browser trades a key (or a one-time sign-in link) for an HttpOnly,
 * SameSite=Strict session cookie, and never holds the key itself.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SESSION_COOKIE, checkThrottle, makeAuthHook, presentedKey } from '../../auth/guard.ts';
import type { AuthThrottle } from '../../auth/throttle.ts';
import { HttpError, parseInput } from '../../errors.ts';
import { SESSION_TTL_SECONDS, type AuthStore } from '../../store/auth.ts';

const Login = z.object({ api_key: z.string().min(1).max(512) });
const LinkQuery = z.object({ token: z.string().min(1).max(256), next: z.string().max(2048).optional() });

/** Only local paths: `/x` but not `//host` or `/\host`, which browsers treat as other origins. */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return /[\r\n]/.test(next) ? '/' : next;
}

export interface AuthRoutesOptions {
  auth: AuthStore;
  extraOrigins: string[];
  /** Mark the session cookie Secure (an https public URL: the engine itself sees http). */
  secureCookie?: boolean;
  throttle: AuthThrottle;
}

export async function authRoutes(app: FastifyInstance, opts: AuthRoutesOptions) {
  const { auth, throttle } = opts;
  const setCookie = (req: FastifyRequest, reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: opts.secureCookie === true || req.protocol === 'https',
      maxAge: SESSION_TTL_SECONDS,
    });

  app.post('/auth/login', async (req, reply) => {
    const { api_key } = parseInput(Login, req.body);
    checkThrottle(throttle, req, api_key.trim());
    const key = auth.verifyKey(api_key.trim());
    if (!key) {
      throttle.failed(req.ip);
      throw new HttpError(401, 'INVALID_TOKEN', 'Invalid API key');
    }
    throttle.succeeded(api_key.trim());
    const s = auth.createSession(key.id);
    setCookie(req, reply, s.token);
    return { authenticated: true, key_name: key.name, key_prefix: key.prefix, expires_at: s.expiresAt };
  });

  app.get('/auth/link', async (req, reply) => {
    const q = parseInput(LinkQuery, req.query, 'query');
    checkThrottle(throttle, req, null);
    const keyId = auth.consumeSigninToken(q.token);
    if (!keyId) {
      throttle.failed(req.ip);
      throw new HttpError(401, 'INVALID_TOKEN', 'This sign-in link is invalid, expired or already used');
    }
    const s = auth.createSession(keyId);
    setCookie(req, reply, s.token);
    return reply.redirect(safeNext(q.next), 302);
  });

  app.post('/auth/logout', async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) auth.deleteSession(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict' });
    return { authenticated: false };
  });

  const authenticate = makeAuthHook(auth, opts.extraOrigins, throttle);
  // A visitor with no credentials at all is an answer (signed out), not an error: the dashboard asks
  // on every first load, and a 401 there is a console error on a normal walk. A bad key or an expired
  // session still gets its 401.
  const sessionCheck = async (req: FastifyRequest, reply: FastifyReply) => {
    if (presentedKey(req) || req.cookies?.[SESSION_COOKIE]) await authenticate(req, reply);
  };
  app.get('/auth/session', { onRequest: sessionCheck }, async (req) => {
    const id = req.identity;
    if (!id) return { authenticated: false };
    return {
      authenticated: true,
      via: id.via,
      key_name: id.key.name,
      key_prefix: id.key.prefix,
      expires_at: id.sessionExpiresAt ?? null,
    };
  });
}
