/** Sandbox records. Pool sandboxes (`pool = 1`) are warm spares, invisible to the API. */
import type { SandboxResources, SandboxStatus } from '../../contract/schemas.ts';
import { stmt, type Db } from './db.ts';

export interface SandboxRecord {
  id: string;
  status: SandboxStatus;
  template_id: string;
  template_name: string;
  region: string;
  resources: SandboxResources;
  internet_access: boolean;
  env_vars: Record<string, string>;
  timeout_seconds: number | null;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
  isolation: string;
  pid: number | null;
  port: number | null;
  error_message: string | null;
  pool: boolean;
  /** Issue time of the current sandbox JWT (whole seconds), null before the first one. */
  token_issued_at?: string | null;
}

interface Row extends Omit<SandboxRecord, 'resources' | 'internet_access' | 'env_vars' | 'pool'> {
  resources: string;
  internet_access: number;
  env_vars: string;
  pool: number;
}

function fromRow(r: Row): SandboxRecord {
  return {
    ...r,
    resources: JSON.parse(r.resources) as SandboxResources,
    env_vars: JSON.parse(r.env_vars) as Record<string, string>,
    internet_access: r.internet_access === 1,
    pool: r.pool === 1,
  };
}

function toRow(s: SandboxRecord): Row {
  return {
    ...s,
    resources: JSON.stringify(s.resources),
    env_vars: JSON.stringify(s.env_vars),
    internet_access: s.internet_access ? 1 : 0,
    pool: s.pool ? 1 : 0,
    token_issued_at: s.token_issued_at ?? null,
  };
}

const COLUMNS = [
  'id',
  'status',
  'template_id',
  'template_name',
  'region',
  'resources',
  'internet_access',
  'env_vars',
  'timeout_seconds',
  'expires_at',
  'created_at',
  'updated_at',
  'isolation',
  'pid',
  'port',
  'error_message',
  'pool',
  'token_issued_at',
] as const;

const INSERT_SQL = `INSERT INTO sandboxes (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`;
const UPDATE_SQL = `UPDATE sandboxes SET ${COLUMNS.filter((c) => c !== 'id')
  .map((c) => `${c} = @${c}`)
  .join(', ')} WHERE id = @id`;

export function insertSandbox(db: Db, s: SandboxRecord): void {
  stmt(db, INSERT_SQL).run(toRow(s));
}

export function getSandbox(db: Db, id: string): SandboxRecord | null {
  const row = stmt(db, 'SELECT * FROM sandboxes WHERE id = ?').get(id) as Row | undefined;
  return row ? fromRow(row) : null;
}

export type SandboxPatch = Partial<Omit<SandboxRecord, 'id'>>;

export function updateSandbox(db: Db, id: string, patch: SandboxPatch): SandboxRecord | null {
  const cur = getSandbox(db, id);
  if (!cur) return null;
  const next = { ...cur, ...patch, id };
  stmt(db, UPDATE_SQL).run(toRow(next));
  return next;
}

/** Ids of the sandboxes handed out and `running` (by the status index: not a scan of every record). */
export function runningSandboxIds(db: Db): string[] {
  return (
    stmt(db, "SELECT id FROM sandboxes WHERE status = 'running' AND pool = 0").all() as { id: string }[]
  ).map((r) => r.id);
}

/** Records that are not deleted (visible and pool). */
export function liveSandboxes(db: Db): SandboxRecord[] {
  return (db.prepare("SELECT * FROM sandboxes WHERE status != 'deleted'").all() as Row[]).map(fromRow);
}

export function poolSandboxes(db: Db, templateId: string): SandboxRecord[] {
  return (
    db
      .prepare(
        "SELECT * FROM sandboxes WHERE pool = 1 AND template_id = ? AND status != 'deleted' ORDER BY created_at, id",
      )
      .all(templateId) as Row[]
  ).map(fromRow);
}

export function dueSandboxes(db: Db, nowIso: string): SandboxRecord[] {
  return (
    db
      .prepare(
        "SELECT * FROM sandboxes WHERE pool = 0 AND status != 'deleted' AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at",
      )
      .all(nowIso) as Row[]
  ).map(fromRow);
}

export function nextExpiry(db: Db): string | null {
  const row = db
    .prepare(
      "SELECT MIN(expires_at) AS e FROM sandboxes WHERE pool = 0 AND status != 'deleted' AND expires_at IS NOT NULL",
    )
    .get() as { e: string | null };
  return row.e;
}

export function usedPorts(db: Db): Set<number> {
  // Upstream sandboxes' gateway ports come from the same range (decision 0014).
  const rows = stmt(
    db,
    "SELECT port FROM sandboxes WHERE port IS NOT NULL AND status != 'deleted' " +
      'UNION SELECT port FROM upstream_sandboxes WHERE port IS NOT NULL',
  ).all() as { port: number }[];
  return new Set(rows.map((r) => r.port));
}

export function countSandboxes(db: Db): { running: number; total: number } {
  const row = stmt(
    db,
    "SELECT SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END) AS running, COUNT(*) AS total FROM sandboxes WHERE pool = 0 AND status != 'deleted'",
  ).get() as { running: number | null; total: number };
  return { running: row.running ?? 0, total: row.total };
}

export type SortKey = 'created_at' | 'status' | 'template_name';

export interface SandboxQuery {
  statuses?: SandboxStatus[] | undefined;
  region?: string | undefined;
  template?: string | undefined;
  q?: string | undefined;
  sort: SortKey;
  order: 'asc' | 'desc';
  limit: number;
  /** Keyset position: the sort value and id of the last item of the previous page. */
  after?: { v: string; id: string } | undefined;
}

export function listSandboxes(db: Db, q: SandboxQuery): { items: SandboxRecord[]; hasMore: boolean } {
  const where = ['pool = 0'];
  const params: Record<string, unknown> = { limit: q.limit + 1 };
  const statuses = q.statuses?.length ? q.statuses : null;
  if (statuses) {
    where.push(`status IN (${statuses.map((_, i) => `@s${i}`).join(', ')})`);
    statuses.forEach((s, i) => (params[`s${i}`] = s));
  } else {
    where.push("status != 'deleted'");
  }
  if (q.region) {
    where.push('region = @region');
    params.region = q.region;
  }
  if (q.template) {
    where.push('template_name = @template');
    params.template = q.template;
  }
  if (q.q) {
    where.push('(instr(lower(id), lower(@q)) > 0 OR instr(lower(template_name), lower(@q)) > 0)');
    params.q = q.q;
  }
  // The sort column is a fixed identifier from the SortKey union, never user text.
  const col = q.sort;
  const dir = q.order === 'asc' ? 'ASC' : 'DESC';
  const cmp = q.order === 'asc' ? '>' : '<';
  if (q.after) {
    where.push(`(${col} ${cmp} @av OR (${col} = @av AND id ${cmp} @aid))`);
    params.av = q.after.v;
    params.aid = q.after.id;
  }
  const sql = `SELECT * FROM sandboxes WHERE ${where.join(' AND ')} ORDER BY ${col} ${dir}, id ${dir} LIMIT @limit`;
  const rows = (db.prepare(sql).all(params) as Row[]).map(fromRow);
  return { items: rows.slice(0, q.limit), hasMore: rows.length > q.limit };
}
