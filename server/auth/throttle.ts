/**
 * A brake on failed authentication, per client address: wrong API keys, bad session cookies, spent
 * sign-in links, forged sandbox tokens. Each address has a bucket of `burst` failures that refills
 * at `perMinute`; an empty bucket answers 429 with `Retry-After` without checking the credential,
 * so guessing gets no answers. A credential that authenticated recently is still checked while its
 * address is throttled: on one machine every client shares 127.0.0.1, and a script looping on a
 * wrong key must not lock the dashboard or a working SDK out. Memory is bounded (oldest out).
 */
import { sha256 } from './secrets.ts';

export interface ThrottleOptions {
  /** Failures an address may make in a row (default 20). */
  burst?: number;
  /** Failures an address earns back per minute (default 20). */
  perMinute?: number;
  /** Addresses and good credentials remembered at most (default 10 000 each). */
  maxEntries?: number;
  /** How long a credential that worked stays exempt (default 15 min). */
  goodForMs?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class AuthThrottle {
  readonly burst: number;
  readonly #perMs: number;
  readonly #max: number;
  readonly #goodForMs: number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #good = new Map<string, number>();

  constructor(opts: ThrottleOptions = {}) {
    this.burst = Math.max(1, opts.burst ?? 20);
    this.#perMs = Math.max(1, opts.perMinute ?? 20) / 60_000;
    this.#max = opts.maxEntries ?? 10_000;
    this.#goodForMs = opts.goodForMs ?? 15 * 60_000;
  }

  /**
   * Seconds the address must wait before its next attempt, or 0 when it may try now. A credential
   * that authenticated recently is never held back.
   */
  retryAfter(address: string, credential?: string | null, now = Date.now()): number {
    if (credential && this.#isGood(credential, now)) return 0;
    const b = this.#bucket(clientKey(address), now, false);
    if (!b || b.tokens >= 1) return 0;
    return Math.max(1, Math.ceil((1 - b.tokens) / this.#perMs / 1000));
  }

  /** Count one failed attempt from the address. */
  failed(address: string, now = Date.now()): void {
    const b = this.#bucket(clientKey(address), now, true) as Bucket;
    b.tokens = Math.max(0, b.tokens - 1);
  }

  /** Remember a credential that authenticated, so a throttled address can still use it. */
  succeeded(credential: string, now = Date.now()): void {
    const h = sha256(credential);
    this.#good.delete(h);
    if (this.#good.size >= this.#max) this.#good.delete(this.#good.keys().next().value as string);
    this.#good.set(h, now + this.#goodForMs);
  }

  #isGood(credential: string, now: number): boolean {
    const h = sha256(credential);
    const until = this.#good.get(h);
    if (until === undefined) return false;
    if (until > now) return true;
    this.#good.delete(h);
    return false;
  }

  #bucket(key: string, now: number, create: boolean): Bucket | undefined {
    let b = this.#buckets.get(key);
    if (b) {
      b.tokens = Math.min(this.burst, b.tokens + (now - b.at) * this.#perMs);
      b.at = now;
      // Full again: forget the address (keeps the map to the addresses that failed lately).
      if (b.tokens >= this.burst && !create) {
        this.#buckets.delete(key);
        return undefined;
      }
      return b;
    }
    if (!create) return undefined;
    if (this.#buckets.size >= this.#max) this.#buckets.delete(this.#buckets.keys().next().value as string);
    b = { tokens: this.burst, at: now };
    this.#buckets.set(key, b);
    return b;
  }
}

/**
 * The throttle key of an address: IPv4 as is, IPv6 by its /64 (one host usually has a whole /64,
 * so per-address buckets would be free to rotate through).
 */
export function clientKey(address: string): string {
  const a = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  if (!a.includes(':')) return a;
  const [head = '', tail] = a.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}
