/**
 * Who may reach a sandbox's agent: CORS for browsers, the sandbox JWT, and the sandbox's state.
 */
import type { IncomingMessage } from 'node:http';
import { decodeJwt } from 'jose';
import type { SandboxTokens } from '../auth/tokens.ts';
import type { SandboxStatus } from '../../contract/schemas.ts';
import { GatewayError, errors } from './errors.ts';

export const CORS_ALLOW_HEADERS = 'Authorization, Content-Type, X-API-Key, X-Request-ID';
export const CORS_ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';

export interface SandboxTarget {
  status: SandboxStatus;
  socketPath: string;
}

export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  return allowed.includes('*') || allowed.includes(origin.replace(/\/+$/, ''));
}

/** CORS headers for an allowed browser origin; none for other origins or non-browser clients. */
export function corsHeaders(req: IncomingMessage, allowed: readonly string[]): Record<string, string> {
  const origin = req.headers.origin;
  if (typeof origin !== 'string' || !originAllowed(origin, allowed)) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': 'X-Request-ID, Content-Disposition, Content-Length',
    vary: 'Origin',
  };
}

export function isPreflight(req: IncomingMessage): boolean {
  return req.method === 'OPTIONS' && typeof req.headers['access-control-request-method'] === 'string';
}

export function preflightHeaders(req: IncomingMessage, allowed: readonly string[]): Record<string, string> {
  return {
    ...corsHeaders(req, allowed),
    'access-control-allow-methods': CORS_ALLOW_METHODS,
    'access-control-allow-headers': CORS_ALLOW_HEADERS,
    'access-control-max-age': '600',
  };
}

/** Pull the token: the Authorization header always; `?token=` only when `allowQuery` (WebSockets). */
export function extractToken(req: IncomingMessage, url: URL, allowQuery: boolean): string {
  const header = req.headers.authorization;
  if (typeof header === 'string' && header.trim() !== '') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header.trim());
    if (!m?.[1])
      throw new GatewayError(401, 'TOKEN_INVALID', 'Malformed Authorization header; expected Bearer <token>');
    return m[1];
  }
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null && fromQuery !== '') {
    if (!allowQuery) throw errors.tokenInQuery();
    return fromQuery;
  }
  throw errors.authMissing();
}

/**
 * Tokens already verified for a sandbox, until their `exp`: an SDK sends the same token on every
 * call, and an HMAC check per request is measurable on a warm `print(1)`. Bounded (oldest out).
 */
export class VerifiedTokens {
  readonly #until = new Map<string, number>();
  constructor(private readonly max = 1024) {}

  has(sandboxId: string, token: string, now = Date.now()): boolean {
    const key = `${sandboxId} ${token}`;
    const until = this.#until.get(key);
    if (until === undefined) return false;
    if (until > now) return true;
    this.#until.delete(key);
    return false;
  }

  add(sandboxId: string, token: string): void {
    let exp: number | undefined;
    try {
      exp = decodeJwt(token).exp;
    } catch {
      return;
    }
    if (exp === undefined) return;
    if (this.#until.size >= this.max) this.#until.delete(this.#until.keys().next().value as string);
    this.#until.set(`${sandboxId} ${token}`, exp * 1000);
  }
}

export async function checkToken(
  tokens: SandboxTokens,
  token: string,
  sandboxId: string,
  verified?: VerifiedTokens,
): Promise<void> {
  if (token.length > 8192) throw new GatewayError(401, 'TOKEN_INVALID', 'Invalid sandbox token');
  if (verified?.has(sandboxId, token)) return;
  const check = await tokens.verify(token, sandboxId);
  if (!check.ok) throw new GatewayError(401, check.code, check.message);
  verified?.add(sandboxId, token);
}

/** The sandbox must exist and be running for its agent to be reachable. */
export function requireRunning(target: SandboxTarget | null): SandboxTarget {
  if (!target) throw errors.notFound();
  switch (target.status) {
    case 'running':
      return target;
    case 'paused':
      throw errors.paused();
    case 'stopped':
      throw errors.stopped();
    case 'creating':
      throw errors.creating();
    case 'error':
      throw errors.failed();
    case 'deleted':
      throw errors.notFound();
  }
}

/** The URL the agent sees: same path and query, minus the gateway's own `token` parameter. */
export function forwardedPath(url: URL): string {
  // Drop `token` pairs textually so every other parameter reaches the agent byte for byte.
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && safeDecode(pair.split('=')[0] ?? '') !== 'token');
  return `${url.pathname}${kept.length > 0 ? `?${kept.join('&')}` : ''}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Parse the request target; reject absolute-form or garbage targets with a clear 400. */
export function parseTarget(req: IncomingMessage): URL {
  const raw = req.url ?? '/';
  if (!raw.startsWith('/')) throw errors.badRequest('Request target must be a path');
  try {
    // Concatenate rather than resolve, so `//host/x` stays a path and never becomes a host.
    return new URL(`http://gateway.invalid${raw}`);
  } catch {
    throw errors.badRequest('Malformed request target');
  }
}
