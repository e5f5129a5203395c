/**
 * Run history (engine extension `/v1/sandboxes/{id}/executions`), written by the gateway for
 * `/execute` and `/execute/stream`. Outputs are capped here as well, whatever the caller sends.
 */
import { randomBytes } from 'node:crypto';
import type { Execution, RichOutput } from '../../contract/schemas.ts';
import { stmt, type Db } from './db.ts';
import { iso } from './time.ts';

export const MAX_TEXT_BYTES = 256 * 1024;
export const MAX_RICH_BYTES = 4 * 1024 * 1024;

export type NewExecution = Pick<Execution, 'sandbox_id' | 'language' | 'code'> &
  Partial<Omit<Execution, 'object' | 'sandbox_id' | 'language' | 'code'>>;
export type ExecutionPatch = Partial<
  Pick<
    Execution,
    | 'status'
    | 'stdout'
    | 'stderr'
    | 'exit_code'
    | 'execution_time'
    | 'rich_outputs'
    | 'truncated'
    | 'completed_at'
  >
>;

interface Row {
  id: string;
  sandbox_id: string;
  language: string;
  code: string;
  status: Execution['status'];
  stdout: string;
  stderr: string;
  exit_code: number | null;
  execution_time: number | null;
  rich_outputs: string;
  truncated: number;
  created_at: string;
  completed_at: string | null;
}

function cap(text: string): { text: string; cut: boolean } {
  if (Buffer.byteLength(text) <= MAX_TEXT_BYTES) return { text, cut: false };
  return { text: Buffer.from(text).subarray(0, MAX_TEXT_BYTES).toString('utf8'), cut: true };
}

function capRich(outputs: RichOutput[]): { json: string; cut: boolean } {
  const kept: RichOutput[] = [];
  let size = 2;
  for (const o of outputs) {
    const s = JSON.stringify(o).length + 1;
    if (size + s > MAX_RICH_BYTES) return { json: JSON.stringify(kept), cut: true };
    kept.push(o);
    size += s;
  }
  return { json: JSON.stringify(kept), cut: false };
}

function fromRow(r: Row): Execution {
  return {
    id: r.id,
    object: 'execution',
    sandbox_id: r.sandbox_id,
    language: r.language,
    code: r.code,
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    exit_code: r.exit_code,
    execution_time: r.execution_time,
    rich_outputs: JSON.parse(r.rich_outputs) as RichOutput[],
    truncated: r.truncated === 1,
    created_at: r.created_at,
    completed_at: r.completed_at,
  };
}

const encodeCursor = (rowid: number) => Buffer.from(`e:${rowid}`).toString('base64url');
function decodeCursor(cursor: string): number | null {
  const m = /^e:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m?.[1] ? Number(m[1]) : null;
}

export class InvalidCursorError extends Error {}

export class ExecutionsRepo {
  constructor(private readonly db: Db) {}

  /** Record a new execution (status `running` unless given) and return it. */
  insert(e: NewExecution): Execution {
    const id = this.add(e);
    return this.get(e.sandbox_id, id) as Execution;
  }

  /** Record a run without reading it back (the gateway's path: one statement per run). */
  add(e: NewExecution): string {
    const id = e.id ?? `exec_${randomBytes(8).toString('hex')}`;
    const stdout = cap(e.stdout ?? '');
    const stderr = cap(e.stderr ?? '');
    const rich = capRich(e.rich_outputs ?? []);
    stmt(
      this.db,
      `INSERT INTO executions (id, sandbox_id, language, code, status, stdout, stderr, exit_code, execution_time,
           rich_outputs, truncated, created_at, completed_at)
         VALUES (@id, @sandbox_id, @language, @code, @status, @stdout, @stderr, @exit_code, @execution_time,
           @rich_outputs, @truncated, @created_at, @completed_at)`,
    ).run({
      id,
      sandbox_id: e.sandbox_id,
      language: e.language,
      code: cap(e.code).text,
      status: e.status ?? 'running',
      stdout: stdout.text,
      stderr: stderr.text,
      exit_code: e.exit_code ?? null,
      execution_time: e.execution_time ?? null,
      rich_outputs: rich.json,
      truncated: e.truncated || stdout.cut || stderr.cut || rich.cut ? 1 : 0,
      created_at: e.created_at ?? iso(),
      completed_at: e.completed_at ?? null,
    });
    return id;
  }

  update(id: string, patch: ExecutionPatch): Execution | null {
    const row = stmt(this.db, 'SELECT * FROM executions WHERE id = ?').get(id) as Row | undefined;
    if (!row) return null;
    const cur = fromRow(row);
    const stdout = cap(patch.stdout ?? cur.stdout);
    const stderr = cap(patch.stderr ?? cur.stderr);
    const rich = capRich(patch.rich_outputs ?? cur.rich_outputs);
    const truncated = (patch.truncated ?? cur.truncated) || stdout.cut || stderr.cut || rich.cut;
    stmt(
      this.db,
      `UPDATE executions SET status = @status, stdout = @stdout, stderr = @stderr, exit_code = @exit_code,
           execution_time = @execution_time, rich_outputs = @rich_outputs, truncated = @truncated, completed_at = @completed_at
         WHERE id = @id`,
    ).run({
      id,
      status: patch.status ?? cur.status,
      stdout: stdout.text,
      stderr: stderr.text,
      exit_code: patch.exit_code !== undefined ? patch.exit_code : cur.exit_code,
      execution_time: patch.execution_time !== undefined ? patch.execution_time : cur.execution_time,
      rich_outputs: rich.json,
      truncated: truncated ? 1 : 0,
      completed_at: patch.completed_at !== undefined ? patch.completed_at : cur.completed_at,
    });
    return this.get(cur.sandbox_id, id);
  }

  get(sandboxId: string, id: string): Execution | null {
    const row = stmt(this.db, 'SELECT * FROM executions WHERE id = ? AND sandbox_id = ?').get(
      id,
      sandboxId,
    ) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  /** Newest first. Throws InvalidCursorError for a cursor this repository did not issue. */
  list(
    sandboxId: string,
    opts: { limit: number; cursor?: string | undefined },
  ): {
    items: Execution[];
    nextCursor: string | null;
  } {
    let before = Number.MAX_SAFE_INTEGER;
    if (opts.cursor !== undefined) {
      const decoded = decodeCursor(opts.cursor);
      if (decoded === null) throw new InvalidCursorError('Invalid cursor');
      before = decoded;
    }
    const rows = stmt(
      this.db,
      'SELECT rowid AS rid, * FROM executions WHERE sandbox_id = ? AND rowid < ? ORDER BY rowid DESC LIMIT ?',
    ).all(sandboxId, before, opts.limit + 1) as (Row & { rid: number })[];
    const page = rows.slice(0, opts.limit);
    const last = page.at(-1);
    return {
      items: page.map(fromRow),
      nextCursor: rows.length > opts.limit && last ? encodeCursor(last.rid) : null,
    };
  }
}
