/** The engine's store: one SQLite file in the data directory, with its repositories. */
import { join } from 'node:path';
import { AuthStore } from './auth.ts';
import { startCheckpointer } from './checkpointer.ts';
import { openDb, type Db } from './db.ts';
import { ExecutionsRepo } from './executions.ts';
import { seedTemplates } from './templates.ts';

export interface Store {
  db: Db;
  auth: AuthStore;
  executions: ExecutionsRepo;
  close(): void;
}

export interface StoreOptions {
  /** Checkpoint the WAL from a worker thread (the engine; tests and tools need not). */
  backgroundCheckpoints?: boolean;
  onCheckpointError?: (message: string) => void;
}

export function openStore(dataDir: string, opts: StoreOptions = {}): Store {
  const file = join(dataDir, 'hopdeck.db');
  const db = openDb(file);
  seedTemplates(db);
  const checkpointer = opts.backgroundCheckpoints
    ? startCheckpointer(db, file, opts.onCheckpointError)
    : null;
  return {
    db,
    auth: new AuthStore(db),
    executions: new ExecutionsRepo(db),
    close: () => {
      checkpointer?.stop();
      if (db.open) db.close();
    },
  };
}
