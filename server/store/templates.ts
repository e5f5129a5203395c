/** Template records: seeded with the built-ins, looked up by name or id. */
import type { Template } from '../../contract/schemas.ts';
import { stmt, type Db } from './db.ts';
import { BUILTIN_TEMPLATES } from './builtin-templates.ts';
import { iso } from './time.ts';

interface Row {
  body: string;
  created_at: string;
}

function fromRow(r: Row): Template {
  const body = JSON.parse(r.body) as Omit<Template, 'object'>;
  return { ...body, object: 'template' };
}

/** Insert missing built-ins and refresh the ones already there (their definition lives in code). */
export function seedTemplates(db: Db, now = new Date()): void {
  const ts = iso(now);
  const upsert = db.prepare(
    `INSERT INTO templates (id, name, body, category, language, created_at) VALUES (@id, @name, @body, @category, @language, @created_at)
     ON CONFLICT(id) DO UPDATE SET body = excluded.body, category = excluded.category, language = excluded.language`,
  );
  const existing = db.prepare('SELECT created_at FROM templates WHERE id = ?');
  db.transaction(() => {
    for (const t of BUILTIN_TEMPLATES) {
      const prev = existing.get(t.id) as { created_at: string } | undefined;
      const created = prev?.created_at ?? ts;
      upsert.run({
        id: t.id,
        name: t.name,
        category: t.category,
        language: t.language,
        created_at: created,
        body: JSON.stringify({ ...t, created_at: created, updated_at: ts }),
      });
    }
  })();
}

export function findTemplate(db: Db, nameOrId: string): Template | null {
  const row = stmt(db, 'SELECT body, created_at FROM templates WHERE id = ? OR name = ?').get(
    nameOrId,
    nameOrId,
  ) as Row | undefined;
  return row ? fromRow(row) : null;
}

export interface TemplateQuery {
  category?: string | undefined;
  language?: string | undefined;
  limit: number;
  /** Name of the last template of the previous page. */
  after?: string | undefined;
}

export function listTemplates(db: Db, q: TemplateQuery): { items: Template[]; hasMore: boolean } {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: q.limit + 1 };
  if (q.category) {
    where.push('category = @category');
    params.category = q.category;
  }
  if (q.language) {
    where.push('language = @language');
    params.language = q.language;
  }
  if (q.after !== undefined) {
    where.push('name > @after');
    params.after = q.after;
  }
  const sql = `SELECT body, created_at FROM templates ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY name LIMIT @limit`;
  const rows = stmt(db, sql).all(params) as Row[];
  const hasMore = rows.length > q.limit;
  return { items: rows.slice(0, q.limit).map(fromRow), hasMore };
}

export function allTemplates(db: Db): Template[] {
  return (stmt(db, 'SELECT body, created_at FROM templates ORDER BY name').all() as Row[]).map(fromRow);
}
