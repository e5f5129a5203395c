/** Small key/value settings of the engine (the sandbox JWT secret, ...). */
import { randomBytes } from 'node:crypto';
import type { Db } from './db.ts';

export function getSetting(db: Db, key: string): string | null {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
    { value: string } | undefined;
  return row?.value ?? null;
}

export function setSetting(db: Db, key: string, value: string): void {
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  ).run(key, value);
}

/** The HS256 secret for sandbox JWTs: created once, kept across restarts so tokens stay valid. */
export function jwtSecret(db: Db): Uint8Array {
  let hex = getSetting(db, 'jwt_secret');
  if (!hex) {
    hex = randomBytes(32).toString('hex');
    setSetting(db, 'jwt_secret', hex);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
