/**
 * Numbered schema migrations, applied in order inside one transaction each. Never edit a released
 * migration: append a new one. `PRAGMA user_version` holds the last applied version.
 */
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  up: (db: Database.Database) => void;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    up: (db) => {
      db.exec(`
        CREATE TABLE settings (
          key TEXT PRIMARY KEY,
          value TEXT NOT NULL
        );
        CREATE TABLE api_keys (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          prefix TEXT NOT NULL UNIQUE,
          hash TEXT NOT NULL,
          created_at TEXT NOT NULL,
          last_used_at TEXT,
          revoked_at TEXT
        );
        CREATE TABLE sessions (
          id_hash TEXT PRIMARY KEY,
          api_key_id TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
          created_at TEXT NOT NULL,
          expires_at TEXT NOT NULL
        );
        CREATE INDEX sessions_key ON sessions(api_key_id);
        CREATE TABLE signin_tokens (
          token_hash TEXT PRIMARY KEY,
          api_key_id TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
          created_at TEXT NOT NULL,
          expires_at TEXT NOT NULL,
          used_at TEXT
        );
        CREATE TABLE templates (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          body TEXT NOT NULL,
          category TEXT NOT NULL,
          language TEXT NOT NULL,
          created_at TEXT NOT NULL
        );
        CREATE TABLE sandboxes (
          id TEXT PRIMARY KEY,
          status TEXT NOT NULL,
          template_id TEXT NOT NULL REFERENCES templates(id),
          template_name TEXT NOT NULL,
          region TEXT NOT NULL,
          resources TEXT NOT NULL,
          internet_access INTEGER NOT NULL,
          env_vars TEXT NOT NULL DEFAULT '{}',
          timeout_seconds INTEGER,
          expires_at TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          isolation TEXT NOT NULL,
          pid INTEGER,
          port INTEGER,
          error_message TEXT,
          pool INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX sandboxes_created ON sandboxes(created_at, id);
        CREATE INDEX sandboxes_status ON sandboxes(status);
        CREATE INDEX sandboxes_expires ON sandboxes(expires_at) WHERE expires_at IS NOT NULL;
        CREATE TABLE executions (
          id TEXT PRIMARY KEY,
          sandbox_id TEXT NOT NULL REFERENCES sandboxes(id) ON DELETE CASCADE,
          language TEXT NOT NULL,
          code TEXT NOT NULL,
          status TEXT NOT NULL,
          stdout TEXT NOT NULL DEFAULT '',
          stderr TEXT NOT NULL DEFAULT '',
          exit_code INTEGER,
          execution_time REAL,
          rich_outputs TEXT NOT NULL DEFAULT '[]',
          truncated INTEGER NOT NULL DEFAULT 0,
          created_at TEXT NOT NULL,
          completed_at TEXT
        );
        CREATE INDEX executions_sandbox ON executions(sandbox_id);
      `);
    },
  },
  {
    // When the sandbox's current JWT was issued: GET re-signs the same claims, so the token and its
    // expiry are stable between refreshes without the token itself being stored.
    version: 2,
    up: (db) => {
      db.exec('ALTER TABLE sandboxes ADD COLUMN token_issued_at TEXT');
    },
  },
  {
    // Upstream mode (decision 0014): sandboxes the engine has seen on an upstream backend. The
    // upstream's JWT stays here, server-side; clients get engine-issued tokens.
    version: 3,
    up: (db) => {
      db.exec(`
        CREATE TABLE upstream_sandboxes (
          id TEXT PRIMARY KEY,
          backend TEXT NOT NULL,
          public_host TEXT NOT NULL DEFAULT '',
          upstream_token TEXT,
          upstream_token_expires_at TEXT,
          port INTEGER,
          token_issued_at TEXT,
          last_seen_at TEXT NOT NULL
        );
        CREATE INDEX upstream_sandboxes_backend ON upstream_sandboxes(backend);
      `);
    },
  },
];

export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  let applied = current;
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied = m.version;
  }
  return applied;
}
