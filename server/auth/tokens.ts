/**
 * Sandbox JWTs: signed by the engine (HS256, jose), scoped to one sandbox, 24 h by default. The
 * SDKs refresh when less than an hour is left, so the TTL must stay well above that.
 */
import { webcrypto } from 'node:crypto';
import { SignJWT, jwtVerify, errors } from 'jose';

export const DEFAULT_TOKEN_TTL_SECONDS = 24 * 3600;
const ISSUER = 'hopdeck';
const AUDIENCE = 'hopdeck-agent';
const ISSUED_KEPT = 10_000;

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export type TokenCheck =
  { ok: true; sandboxId: string } | { ok: false; code: 'TOKEN_EXPIRED' | 'TOKEN_INVALID'; message: string };

export class SandboxTokens {
  /**
   * Imported once: given the raw bytes, jose imports a WebCrypto key on every sign and verify
   * (about 5 ms of the engine's main thread per create in a burst of 20).
   */
  readonly #key: Promise<webcrypto.CryptoKey>;
  readonly #ttlSeconds: number;
  /**
   * Tokens this engine signed lately (token → sandbox id and expiry): the first request of a new
   * sandbox, right after its create, needs no signature check (a WebCrypto job on the thread
   * pool, queued behind file work in a burst). An exact match is what we signed; anything else
   * goes through jose.
   */
  readonly #issued = new Map<string, { sub: string; exp: number }>();

  constructor(secret: Uint8Array, ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS) {
    if (secret.byteLength < 32) throw new Error('token secret must be at least 32 bytes');
    this.#key = webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    this.#ttlSeconds = ttlSeconds;
  }

  async issue(sandboxId: string, now = new Date()): Promise<IssuedToken> {
    // Whole seconds: the timestamps we publish have no fractions.
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + this.#ttlSeconds;
    const token = await new SignJWT({ sbx: sandboxId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(sandboxId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(await this.#key);
    if (this.#issued.size >= ISSUED_KEPT) this.#issued.delete(this.#issued.keys().next().value as string);
    this.#issued.set(token, { sub: sandboxId, exp: exp * 1000 });
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** Verify a token for one sandbox: a valid token of another sandbox is rejected. */
  async verify(token: string, sandboxId: string): Promise<TokenCheck> {
    const mine = this.#issued.get(token);
    if (mine && mine.exp > Date.now()) {
      return mine.sub === sandboxId
        ? { ok: true, sandboxId }
        : { ok: false, code: 'TOKEN_INVALID', message: 'Token belongs to another sandbox' };
    }
    try {
      const { payload } = await jwtVerify(token, await this.#key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
      });
      if (payload.sub !== sandboxId) {
        return { ok: false, code: 'TOKEN_INVALID', message: 'Token belongs to another sandbox' };
      }
      return { ok: true, sandboxId };
    } catch (err) {
      if (err instanceof errors.JWTExpired) {
        return {
          ok: false,
          code: 'TOKEN_EXPIRED',
          message: 'Token expired; refresh it with POST /v1/sandboxes/{id}/token/refresh',
        };
      }
      return { ok: false, code: 'TOKEN_INVALID', message: 'Invalid sandbox token' };
    }
  }
}
