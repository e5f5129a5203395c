import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './index.ts';

let dir = '';
let store: Store | null = null;
afterEach(() => {
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

describe('background WAL checkpoints', () => {
  it('copy committed pages into the database file from a worker, not the committing thread', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hopdeck-ckpt-'));
    store = openStore(dir, { backgroundCheckpoints: true });
    const { db } = store;
    // The engine's own connection would checkpoint only past 10,000 pages now.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    db.exec('CREATE TABLE filler (v TEXT)');
    const ins = db.prepare('INSERT INTO filler (v) VALUES (?)');
    const before = statSync(join(dir, 'hopdeck.db')).size;
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) ins.run('x'.repeat(1000));
    })();
    // ~2 MB of rows are in the WAL; the worker moves them into the database file within seconds.
    const moved = await until(() => statSync(join(dir, 'hopdeck.db')).size >= before + 1_500_000, 10_000);
    expect(moved).toBe(true);
    expect(db.prepare('SELECT COUNT(*) AS n FROM filler').get()).toEqual({ n: 2000 });
  });

  it('is off unless asked for (tests and tools keep SQLite’s own checkpoints)', () => {
    dir = mkdtempSync(join(tmpdir(), 'hopdeck-ckpt-'));
    store = openStore(dir);
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
