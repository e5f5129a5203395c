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

/** Forget a sandbox whose create failed (it never reached a caller; no history worth keeping). */
export function deleteFailedSandboxRow(db: Db, id: string): void {
  db.prepare("DELETE FROM sandboxes WHERE id = ? AND status IN ('creating', 'error')").run(id);
}
