/**
 * Sandboxes the engine has seen on an upstream backend (decision 0014): which backend holds the id,
 * the upstream's public_host and JWT (server-side only), the local gateway port handed out for it,
 * and when the engine last saw it. Ids pass through unchanged.
 */
import { stmt, type Db } from './db.ts';

export interface UpstreamSandboxRow {
  id: string;
  backend: string;
  public_host: string;
  upstream_token: string | null;
  upstream_token_expires_at: string | null;
  port: number | null;
  /** Issue time of the engine's own JWT for this sandbox (the same token is re-signed from it). */
  token_issued_at: string | null;
  last_seen_at: string;
}

export function getUpstreamSandbox(db: Db, id: string): UpstreamSandboxRow | null {
  return (stmt(db, 'SELECT * FROM upstream_sandboxes WHERE id = ?').get(id) as UpstreamSandboxRow) ?? null;
}

/** Remember (or refresh) an upstream sandbox; fields left undefined keep their stored value. */
export function upsertUpstreamSandbox(
  db: Db,
  row: Pick<UpstreamSandboxRow, 'id' | 'backend'> & Partial<Omit<UpstreamSandboxRow, 'id' | 'backend'>>,
): UpstreamSandboxRow {
  const now = new Date().toISOString();
  const prev = getUpstreamSandbox(db, row.id);
  const next: UpstreamSandboxRow = {
    id: row.id,
    backend: row.backend,
    public_host: row.public_host ?? prev?.public_host ?? '',
    upstream_token: row.upstream_token !== undefined ? row.upstream_token : (prev?.upstream_token ?? null),
    upstream_token_expires_at:
      row.upstream_token_expires_at !== undefined
        ? row.upstream_token_expires_at
        : (prev?.upstream_token_expires_at ?? null),
    port: row.port !== undefined ? row.port : (prev?.port ?? null),
    token_issued_at:
      row.token_issued_at !== undefined ? row.token_issued_at : (prev?.token_issued_at ?? null),
    last_seen_at: row.last_seen_at ?? now,
  };
  // The backend is as given; UpstreamSandboxes.remember() keeps one backend from claiming another's id.
  if (prev && prev.backend !== next.backend) next.port = row.port ?? null;
  stmt(
    db,
    `INSERT INTO upstream_sandboxes
       (id, backend, public_host, upstream_token, upstream_token_expires_at, port, token_issued_at, last_seen_at)
     VALUES (@id, @backend, @public_host, @upstream_token, @upstream_token_expires_at, @port, @token_issued_at, @last_seen_at)
     ON CONFLICT(id) DO UPDATE SET backend = excluded.backend, public_host = excluded.public_host,
       upstream_token = excluded.upstream_token, upstream_token_expires_at = excluded.upstream_token_expires_at,
       port = excluded.port, token_issued_at = excluded.token_issued_at, last_seen_at = excluded.last_seen_at`,
  ).run(next);
  return next;
}

export function deleteUpstreamSandbox(db: Db, id: string): UpstreamSandboxRow | null {
  const prev = getUpstreamSandbox(db, id);
  if (prev) stmt(db, 'DELETE FROM upstream_sandboxes WHERE id = ?').run(id);
  return prev;
}

export function upstreamSandboxesWithPorts(db: Db): UpstreamSandboxRow[] {
  return stmt(db, 'SELECT * FROM upstream_sandboxes WHERE port IS NOT NULL').all() as UpstreamSandboxRow[];
}
