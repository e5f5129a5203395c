/**
 * Who is calling: an API key (`X-API-Key` or `Authorization: Bearer`) or the dashboard's session
 * cookie (backend for frontend). Cookie-authenticated unsafe requests must come from our own
 * origin (or the configured dev origin), which stops cross-site request forgery.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyInfo } from '../../contract/schemas.ts';
import { HttpError } from '../errors.ts';
import type { AuthStore } from '../store/auth.ts';
import { sha256 } from './secrets.ts';
import type { AuthThrottle } from './throttle.ts';

export const SESSION_COOKIE = 'hopdeck_session';

export interface Identity {
  key: ApiKeyInfo;
  via: 'api_key' | 'session';
  sessionExpiresAt?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    identity: Identity | null;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The credential a request presents, if any (not yet verified). */
export function presentedKey(req: FastifyRequest): string | null {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header) return header.trim();
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m?.[1]) return m[1];
  }
  return null;
}

/** Rate-limit bucket: per key or session, hashed; anonymous callers by address. */
export function rateLimitKey(req: FastifyRequest): string {
  const key = presentedKey(req);
  if (key) return `k:${sha256(key).slice(0, 32)}`;
  const session = req.cookies?.[SESSION_COOKIE];
  if (session) return `s:${sha256(session).slice(0, 32)}`;
  return `ip:${req.ip}`;
}

export function originAllowed(req: FastifyRequest, extraOrigins: string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  const own = `${req.protocol}://${req.headers.host ?? ''}`;
  return origin === own || extraOrigins.includes(origin);
}

/** 429 for an address that failed authentication too often (see throttle.ts). */
export function tooManyFailures(retryAfter: number): HttpError {
  return new HttpError(
    429,
    'RATE_LIMIT_EXCEEDED',
    `Too many failed sign-in attempts from this address; retry in ${retryAfter} s`,
    { retry_after: retryAfter, details: { retry_after_seconds: retryAfter } },
    { 'Retry-After': String(retryAfter) },
  );
}

/** Refuse at once when the address is throttled (unless the credential worked lately). */
export function checkThrottle(throttle: AuthThrottle, req: FastifyRequest, credential: string | null): void {
  const wait = throttle.retryAfter(req.ip, credential);
  if (wait > 0) throw tooManyFailures(wait);
}

export function makeAuthHook(auth: AuthStore, extraOrigins: string[], throttle: AuthThrottle) {
  const touched = new Map<string, number>();
  const touch = (id: string) => {
    // last_used_at has minute precision in practice: one write per key per 30 s is plenty.
    const now = Date.now();
    if ((touched.get(id) ?? 0) + 30_000 > now) return;
    touched.set(id, now);
    auth.touchKey(id);
  };
  return async function authenticate(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const key = presentedKey(req);
    if (key) {
      checkThrottle(throttle, req, key);
      const info = auth.verifyKey(key);
      if (!info) {
        throttle.failed(req.ip);
        throw new HttpError(401, 'INVALID_TOKEN', 'Invalid API key');
      }
      throttle.succeeded(key);
      touch(info.id);
      req.identity = { key: info, via: 'api_key' };
      return;
    }
    const cookie = req.cookies?.[SESSION_COOKIE];
    if (cookie) {
      checkThrottle(throttle, req, cookie);
      const s = auth.verifySession(cookie);
      if (!s) {
        throttle.failed(req.ip);
        throw new HttpError(401, 'AUTHENTICATION_REQUIRED', 'Session expired; sign in again');
      }
      throttle.succeeded(cookie);
      if (!SAFE.has(req.method) && !originAllowed(req, extraOrigins)) {
        throw new HttpError(
          403,
          'FORBIDDEN',
          'Cross-origin request refused (Origin does not match the engine)',
        );
      }
      touch(s.key.id);
      req.identity = { key: s.key, via: 'session', sessionExpiresAt: s.expiresAt };
      return;
    }
    throw new HttpError(
      401,
      'AUTHENTICATION_REQUIRED',
      'API key required (X-API-Key or Authorization: Bearer)',
    );
  };
}
