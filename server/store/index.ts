/** The engine's store: one SQLite file in the data directory, with its repositories. */
import { join } from 'node:path';
import { AuthStore } from './auth.ts';
import { openDb, type Db } from './db.ts';
import { ExecutionsRepo } from './executions.ts';
import { seedTemplates } from './templates.ts';

export interface Store {
  db: Db;
  auth: AuthStore;
  executions: ExecutionsRepo;
  close(): void;
}

export function openStore(dataDir: string): Store {
  const db = openDb(join(dataDir, 'hopdeck.db'));
  seedTemplates(db);
  return {
    db,
    auth: new AuthStore(db),
    executions: new ExecutionsRepo(db),
    close: () => {
      if (db.open) db.close();
    },
  };
}
