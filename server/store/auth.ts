/** API keys, browser sessions and one-time sign-in tokens. Only hashes are stored. */
import { randomBytes } from 'node:crypto';
import type { ApiKeyInfo } from '../../contract/schemas.ts';
import { newApiKey, newOpaqueToken, parseApiKey, sameHash, sha256 } from '../auth/secrets.ts';
import { stmt, type Db } from './db.ts';
import { iso } from './time.ts';

export const SESSION_TTL_SECONDS = 7 * 24 * 3600;
export const SIGNIN_TTL_SECONDS = 15 * 60;

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

function info(r: KeyRow): ApiKeyInfo {
  return {
    id: r.id,
    object: 'api_key',
    name: r.name,
    prefix: r.prefix,
    created_at: r.created_at,
    last_used_at: r.last_used_at,
    revoked_at: r.revoked_at,
  };
}

export class AuthStore {
  constructor(private readonly db: Db) {}

  /** Create a key (random, or the given one when seeding from --api-key) and return it with its secret. */
  createKey(name: string, given?: string): ApiKeyInfo & { key: string } {
    let key: string;
    let prefix: string;
    if (given) {
      const parsed = parseApiKey(given);
      key = given;
      // A seeded key in another format still gets a unique, non-secret prefix for display.
      prefix = parsed?.prefix ?? `seed_${sha256(given).slice(0, 12)}`;
    } else {
      ({ key, prefix } = newApiKey());
    }
    const row: KeyRow = {
      id: `key_${randomBytes(8).toString('hex')}`,
      name,
      prefix,
      hash: sha256(key),
      created_at: iso(),
      last_used_at: null,
      revoked_at: null,
    };
    this.db
      .prepare(
        'INSERT INTO api_keys (id, name, prefix, hash, created_at, last_used_at, revoked_at) VALUES (@id, @name, @prefix, @hash, @created_at, @last_used_at, @revoked_at)',
      )
      .run(row);
    return { ...info(row), key };
  }

  /** Seed a key given on the command line: idempotent (a key already stored is reused). */
  seedKey(given: string): ApiKeyInfo {
    const hash = sha256(given);
    const row = stmt(this.db, 'SELECT * FROM api_keys WHERE hash = ?').get(hash) as KeyRow | undefined;
    if (row) {
      if (row.revoked_at) this.db.prepare('UPDATE api_keys SET revoked_at = NULL WHERE id = ?').run(row.id);
      return info({ ...row, revoked_at: null });
    }
    return this.createKey('cli', given);
  }

  /** Resolve a presented key to its record (active only), in constant time on the secret. */
  verifyKey(presented: string): ApiKeyInfo | null {
    const hash = sha256(presented);
    const parsed = parseApiKey(presented);
    const prefix = parsed?.prefix ?? `seed_${hash.slice(0, 12)}`;
    const row = stmt(this.db, 'SELECT * FROM api_keys WHERE prefix = ?').get(prefix) as KeyRow | undefined;
    if (!row || row.revoked_at || !sameHash(row.hash, hash)) return null;
    return info(row);
  }

  touchKey(id: string): void {
    stmt(this.db, 'UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(iso(), id);
  }

  listKeys(): ApiKeyInfo[] {
    return (
      this.db.prepare('SELECT * FROM api_keys ORDER BY created_at DESC, id DESC').all() as KeyRow[]
    ).map(info);
  }

  getKey(id: string): ApiKeyInfo | null {
    const row = this.db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as KeyRow | undefined;
    return row ? info(row) : null;
  }

  activeKeyCount(): number {
    return (
      this.db.prepare('SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at IS NULL').get() as { n: number }
    ).n;
  }

  firstActiveKey(): ApiKeyInfo | null {
    const row = this.db
      .prepare('SELECT * FROM api_keys WHERE revoked_at IS NULL ORDER BY created_at, id LIMIT 1')
      .get() as KeyRow | undefined;
    return row ? info(row) : null;
  }

  revokeKey(id: string): void {
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
        .run(iso(), id);
      this.db.prepare('DELETE FROM sessions WHERE api_key_id = ?').run(id);
      this.db.prepare('DELETE FROM signin_tokens WHERE api_key_id = ?').run(id);
    })();
  }

  createSession(apiKeyId: string, now = Date.now()): { token: string; expiresAt: string } {
    const { token, hash } = newOpaqueToken();
    const expiresAt = iso(now + SESSION_TTL_SECONDS * 1000);
    this.db
      .prepare('INSERT INTO sessions (id_hash, api_key_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(hash, apiKeyId, iso(now), expiresAt);
    return { token, expiresAt };
  }

  /** The key behind a session cookie, if the session is live and its key not revoked. */
  verifySession(token: string, now = Date.now()): { key: ApiKeyInfo; expiresAt: string } | null {
    const row = stmt(
      this.db,
      `SELECT k.*, s.expires_at AS session_expires FROM sessions s JOIN api_keys k ON k.id = s.api_key_id
       WHERE s.id_hash = ? AND k.revoked_at IS NULL`,
    ).get(sha256(token)) as (KeyRow & { session_expires: string }) | undefined;
    if (!row || row.session_expires <= iso(now)) return null;
    return { key: info(row), expiresAt: row.session_expires };
  }

  deleteSession(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(sha256(token));
  }

  createSigninToken(apiKeyId: string, now = Date.now()): string {
    const { token, hash } = newOpaqueToken();
    this.db
      .prepare(
        'INSERT INTO signin_tokens (token_hash, api_key_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
      )
      .run(hash, apiKeyId, iso(now), iso(now + SIGNIN_TTL_SECONDS * 1000));
    return token;
  }

  /** Spend a one-time sign-in token: returns the key id once, then never again. */
  consumeSigninToken(token: string, now = Date.now()): string | null {
    const nowIso = iso(now);
    const res = this.db
      .prepare(
        `UPDATE signin_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
         RETURNING api_key_id`,
      )
      .get(nowIso, sha256(token), nowIso) as { api_key_id: string } | undefined;
    return res?.api_key_id ?? null;
  }

  pruneExpired(now = Date.now()): void {
    const nowIso = iso(now);
    this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(nowIso);
    this.db.prepare('DELETE FROM signin_tokens WHERE expires_at <= ? OR used_at IS NOT NULL').run(nowIso);
  }
}
