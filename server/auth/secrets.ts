/** Secrets the engine hands out (API keys, session ids, sign-in tokens): random, stored as hashes. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const API_KEY_RE = /^(hopx_live_[A-Za-z0-9]{12})\.([A-Za-z0-9_-]{16,128})$/;

function alnum(n: number): string {
  const bytes = randomBytes(n * 2);
  let out = '';
  for (let i = 0; out.length < n && i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b < 248) out += ALNUM[b % 62];
  }
  return out.length === n ? out : alnum(n);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Equal-length hex digests compared in constant time. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export function newApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = `hopx_live_${alnum(12)}`;
  const key = `${prefix}.${randomBytes(24).toString('base64url')}`;
  return { key, prefix, hash: sha256(key) };
}

export function parseApiKey(key: string): { prefix: string } | null {
  const m = API_KEY_RE.exec(key);
  return m?.[1] ? { prefix: m[1] } : null;
}

export function newOpaqueToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: sha256(token) };
}
