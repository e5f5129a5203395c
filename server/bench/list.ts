/**
 * GET /v1/sandboxes with 10,000 sandbox records in the store: records are written straight into
 * the store (stopped sandboxes, no processes), listed from a client process, then removed.
 */
import { fileURLToPath } from 'node:url';
import { newRecord } from '../control-plane/sandbox-service.ts';
import { insertSandbox } from '../store/sandboxes.ts';
import { allTemplates } from '../store/templates.ts';
import type { BenchEngine } from './engine.ts';
import { runClient } from './proc.ts';
import { summarize } from './stats.ts';
import { TEMPLATE } from './creates.ts';

const CLIENT_API = fileURLToPath(new URL('./client-api.ts', import.meta.url));

export async function benchList(e: BenchEngine, records: number, runs: number) {
  const db = e.store.db;
  const t = allTemplates(db).find((x) => x.name === TEMPLATE);
  if (!t) throw new Error(`template ${TEMPLATE} missing`);
  const ids: string[] = [];
  db.transaction(() => {
    for (let i = 0; i < records; i++) {
      const rec = newRecord(t, { internet: true, env: {}, isolation: e.isolation, pool: false });
      insertSandbox(db, { ...rec, status: 'stopped' });
      ids.push(rec.id);
    }
  })();
  try {
    const r = await runClient<{ list: number[] }>(CLIENT_API, [e.base, e.apiKey, 'list', String(runs)]);
    return summarize(r.list);
  } finally {
    // Gone before the create runs: the engine would otherwise carry 10,000 records through them.
    const del = db.prepare('DELETE FROM sandboxes WHERE id = ?');
    db.transaction(() => ids.forEach((id) => del.run(id)))();
  }
}
