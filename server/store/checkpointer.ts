/**
 * WAL checkpoints off the event loop. SQLite copies the WAL back into the database on the
 * committing connection once the WAL passes 1,000 pages: a write and an fsync on the engine's
 * main thread, 8-12 ms every ~750 small commits here (more while the disk is busy), which
 * /health and every gateway request then wait behind. A worker thread with its own connection
 * runs a PASSIVE checkpoint every second instead (PASSIVE never waits for, nor blocks, the
 * engine's readers and writers); the engine's connection keeps its automatic checkpoint only as
 * a backstop, at 10,000 pages (~40 MB of WAL), should the worker stop.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './db.ts';

const BACKSTOP_PAGES = 10_000;

// CommonJS, evaluated in the worker; the driver's path comes resolved from here.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage(String(err && err.message));
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): void;
}

export function startCheckpointer(
  db: Db,
  file: string,
  onError: (message: string) => void = () => undefined,
  intervalMs = 1000,
): Checkpointer {
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, intervalMs } });
  worker.on('message', (m: unknown) => onError(String(m)));
  worker.on('error', (err) => {
    // Without the worker the backstop keeps the WAL bounded, on the main thread as before.
    onError(err.message);
    db.pragma('wal_autocheckpoint = 1000');
  });
  worker.unref();
  return { stop: () => worker.postMessage('stop') };
}
