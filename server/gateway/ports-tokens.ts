/**
 * Short tokens for browser access to a sandbox port (decision 0011). A browser cannot send a header
 * on a navigation, so the dashboard hands out a link carrying a one-time `link` token (10 min); the
 * port host exchanges it for a host-only `cookie` token (12 h) and redirects without it. Both are
 * HMAC-SHA256 over {kind, sandbox, port, expiry, nonce} with a key derived from the engine's JWT
 * secret, so they are worthless for any other sandbox, port or purpose (and as agent tokens).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type PortTokenKind = 'link' | 'cookie';
export const LINK_TTL_SECONDS = 600;
export const COOKIE_TTL_SECONDS = 12 * 3600;
const MAX_SPENT = 10_000;

interface Claims {
  k: PortTokenKind;
  s: string;
  p: number;
  e: number;
  n: string;
}

export class PortTokens {
  readonly #key: Buffer;
  /** Spent link nonces → expiry (seconds); bounded, pruned as they expire. */
  readonly #spent = new Map<string, number>();

  constructor(secret: Uint8Array) {
    this.#key = createHmac('sha256', Buffer.from(secret)).update('hopdeck-port-tokens-v1').digest();
  }

  issue(
    kind: PortTokenKind,
    sandboxId: string,
    port: number,
    now = Date.now(),
  ): { token: string; expiresAt: Date } {
    const e = Math.floor(now / 1000) + (kind === 'link' ? LINK_TTL_SECONDS : COOKIE_TTL_SECONDS);
    const claims: Claims = { k: kind, s: sandboxId, p: port, e, n: randomBytes(9).toString('base64url') };
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { token: `${body}.${this.#sign(body)}`, expiresAt: new Date(e * 1000) };
  }

  /** The claims when the token is ours, of this kind, sandbox and port, and not expired. */
  check(
    token: string,
    kind: PortTokenKind,
    sandboxId: string,
    port: number,
    now = Date.now(),
  ): Claims | null {
    if (token.length > 512) return null;
    const [body, sig, extra] = token.split('.');
    if (!body || !sig || extra !== undefined) return null;
    const want = Buffer.from(this.#sign(body));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
    let c: Partial<Claims>;
    try {
      c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Claims>;
    } catch {
      return null;
    }
    if (
      c.k !== kind ||
      c.s !== sandboxId ||
      c.p !== port ||
      typeof c.e !== 'number' ||
      typeof c.n !== 'string'
    )
      return null;
    if (c.e * 1000 <= now) return null;
    return c as Claims;
  }

  /** Use a link token once: false when it was already spent. */
  spend(claims: Claims, now = Date.now()): boolean {
    const nowS = Math.floor(now / 1000);
    if (this.#spent.has(claims.n)) return false;
    if (this.#spent.size >= MAX_SPENT) {
      for (const [n, e] of this.#spent) if (e <= nowS) this.#spent.delete(n);
      // still full of live entries: forget the oldest (worst case a link works twice in 10 min)
      if (this.#spent.size >= MAX_SPENT) this.#spent.delete(this.#spent.keys().next().value as string);
    }
    this.#spent.set(claims.n, claims.e);
    return true;
  }

  #sign(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url');
  }
}
