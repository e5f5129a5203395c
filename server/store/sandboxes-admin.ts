/** Maintenance operations on sandbox records (warm pool spares have no history worth keeping). */
import type { Db } from './db.ts';

export function deleteSandboxRow(db: Db, id: string): void {
  db.prepare('DELETE FROM sandboxes WHERE id = ? AND pool = 1').run(id);
}

export function leftoverPoolIds(db: Db): string[] {
  return (
    db.prepare("SELECT id FROM sandboxes WHERE pool = 1 AND status != 'deleted'").all() as { id: string }[]
  ).map((r) => r.id);
}
