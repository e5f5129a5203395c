import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from './migrations.ts';
import { openStore, type Store } from './index.ts';
import { insertSandbox, usedPorts } from './sandboxes.ts';
import { deleteUpstreamSandbox, getUpstreamSandbox, upsertUpstreamSandbox } from './upstream-sandboxes.ts';
import { newRecord } from '../control-plane/sandbox-service.ts';
import { findTemplate } from './templates.ts';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hopdeck-store-'));
  store = openStore(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('store', () => {
  it('runs in WAL mode with foreign keys and the latest migration', () => {
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
  });

  it('reopens an existing file without re-running migrations and keeps data', () => {
    const k = store.auth.createKey('laptop');
    store.close();
    store = openStore(dir);
    expect(store.auth.verifyKey(k.key)?.id).toBe(k.id);
  });

  it('stores only hashes of API keys and verifies them', () => {
    const k = store.auth.createKey('ci');
    expect(k.key).toMatch(/^hopx_live_[A-Za-z0-9]{12}\.[A-Za-z0-9_-]+$/);
    const dump = JSON.stringify(store.db.prepare('SELECT * FROM api_keys').all());
    expect(dump).not.toContain(k.key.split('.')[1]);
    expect(store.auth.verifyKey(k.key)?.name).toBe('ci');
    expect(store.auth.verifyKey(`${k.key}x`)).toBeNull();
    expect(store.auth.verifyKey(`${k.prefix}.wrongsecretwrongsecret`)).toBeNull();
  });

  it('sign-in tokens work once and expire', () => {
    const k = store.auth.createKey('a');
    const t = store.auth.createSigninToken(k.id);
    expect(store.auth.consumeSigninToken(t)).toBe(k.id);
    expect(store.auth.consumeSigninToken(t)).toBeNull();
    const old = store.auth.createSigninToken(k.id, Date.now() - 16 * 60_000);
    expect(store.auth.consumeSigninToken(old)).toBeNull();
  });

  it('prunes expired sessions and spent sign-in tokens, keeping live ones', () => {
    const k = store.auth.createKey('a');
    const live = store.auth.createSession(k.id);
    store.auth.createSession(k.id, Date.now() - 8 * 24 * 3600_000);
    const spent = store.auth.createSigninToken(k.id);
    store.auth.consumeSigninToken(spent);
    const fresh = store.auth.createSigninToken(k.id);
    store.auth.pruneExpired();
    const count = (table: string) =>
      (store.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect(count('sessions')).toBe(1);
    expect(count('signin_tokens')).toBe(1);
    expect(store.auth.verifySession(live.token)?.key.id).toBe(k.id);
    expect(store.auth.consumeSigninToken(fresh)).toBe(k.id);
  });

  it('revoking a key ends its sessions', () => {
    const k = store.auth.createKey('a');
    const s = store.auth.createSession(k.id);
    expect(store.auth.verifySession(s.token)?.key.id).toBe(k.id);
    store.auth.revokeKey(k.id);
    expect(store.auth.verifySession(s.token)).toBeNull();
    expect(store.auth.verifyKey(k.key)).toBeNull();
  });

  it('records executions newest first with an opaque cursor, capped in size', () => {
    const t = findTemplate(store.db, 'python');
    if (!t) throw new Error('python template missing');
    const rec = newRecord(t, { internet: true, env: {}, isolation: 'bwrap', pool: false });
    insertSandbox(store.db, rec);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(store.executions.insert({ sandbox_id: rec.id, language: 'python', code: `print(${i})` }).id);
    }
    const done = store.executions.update(ids[0] as string, {
      status: 'completed',
      stdout: 'x'.repeat(300 * 1024),
      exit_code: 0,
    });
    expect(done?.status).toBe('completed');
    expect(done?.truncated).toBe(true);
    expect(done?.stdout.length).toBe(256 * 1024);
    const p1 = store.executions.list(rec.id, { limit: 3 });
    expect(p1.items.map((e) => e.id)).toEqual(ids.slice(2).reverse());
    expect(p1.nextCursor).not.toBeNull();
    const p2 = store.executions.list(rec.id, { limit: 3, cursor: p1.nextCursor as string });
    expect(p2.items.map((e) => e.id)).toEqual(ids.slice(0, 2).reverse());
    expect(p2.nextCursor).toBeNull();
    expect(() => store.executions.list(rec.id, { limit: 3, cursor: 'garbage' })).toThrow(/cursor/i);
  });
});

describe('upstream sandboxes (decision 0014)', () => {
  it('remembers an upstream sandbox, keeps fields not given, and frees its port when forgotten', () => {
    const db = store.db;
    upsertUpstreamSandbox(db, {
      id: 'sbx_up1',
      backend: 'cloud',
      public_host: 'https://7777-sbx_up1.eu.vms.example',
      upstream_token: 'jwt-1',
      upstream_token_expires_at: '2030-01-01T00:00:00Z',
    });
    upsertUpstreamSandbox(db, { id: 'sbx_up1', backend: 'cloud', port: 7123 });
    expect(getUpstreamSandbox(db, 'sbx_up1')).toMatchObject({
      public_host: 'https://7777-sbx_up1.eu.vms.example',
      upstream_token: 'jwt-1',
      port: 7123,
    });
    // The gateway port allocator sees ports of both tables.
    expect(usedPorts(db).has(7123)).toBe(true);
    expect(deleteUpstreamSandbox(db, 'sbx_up1')?.port).toBe(7123);
    expect(getUpstreamSandbox(db, 'sbx_up1')).toBeNull();
    expect(usedPorts(db).has(7123)).toBe(false);
  });
});
