import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxList, type Sandbox, type SandboxStatus } from '../../contract/schemas.ts';
import { newRecord } from '../control-plane/sandbox-service.ts';
import { insertSandbox } from '../store/sandboxes.ts';
import { findTemplate } from '../store/templates.ts';
import { iso } from '../store/time.ts';
import { json, startEngine, type TestEngine } from './engine.ts';

// Listing is pure store work: records are written directly (no processes), 30 of them across
// statuses, templates and creation times, so paging and sorting have something to chew on.
let e: TestEngine;
const statuses: SandboxStatus[] = ['running', 'paused', 'stopped', 'error', 'deleted'];
const templates = ['python', 'ubuntu', 'nodejs'];
const ids: string[] = [];

beforeAll(async () => {
  // No background work: the agent watch would boot these process-less `running` records again
  // (it did, within a second, and changed the counts below under load).
  e = await startEngine({ start: false });
  const base = Date.parse('2026-11-01T00:00:00Z');
  for (let i = 0; i < 30; i++) {
    const t = findTemplate(e.store.db, templates[i % 3] as string);
    if (!t) throw new Error('template');
    const r = newRecord(t, { internet: true, env: {}, isolation: 'bwrap', pool: false });
    // Two records share each creation second: the id must break ties for stable pages.
    const ts = iso(base + Math.floor(i / 2) * 1000);
    insertSandbox(e.store.db, {
      ...r,
      status: statuses[i % 5] as SandboxStatus,
      created_at: ts,
      updated_at: ts,
    });
    ids.push(r.id);
  }
});
afterAll(async () => {
  await e?.dispose();
});

async function list(query: string) {
  const res = await e.app.inject({ url: `/v1/sandboxes${query}`, headers: e.auth });
  expect(res.statusCode, res.body).toBe(200);
  return SandboxList.parse(json(res));
}

async function all(query: string, limit: number): Promise<Sandbox[]> {
  const out: Sandbox[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = query ? '&' : '?';
    const page = await list(
      `${query}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    out.push(...page.data);
    expect(page.data.length).toBeLessThanOrEqual(limit);
    cursor = page.next_cursor;
    expect(page.has_more).toBe(cursor !== null);
    pages++;
    expect(pages).toBeLessThan(40);
  } while (cursor);
  return out;
}

describe('GET /v1/sandboxes', () => {
  it('lists newest first, hides deleted, and pages through everything exactly once', async () => {
    const first = await list('');
    expect(first.data).toHaveLength(24);
    expect(first.data.every((s) => s.status !== 'deleted')).toBe(true);
    expect(first.data.every((s) => s.auth_token === undefined)).toBe(true);
    const paged = await all('', 7);
    expect(paged.map((s) => s.id)).toEqual(first.data.map((s) => s.id));
    const created = paged.map((s) => s.created_at);
    expect([...created].sort().reverse()).toEqual(created);
  });

  it('filters by a status list, template, region and q', async () => {
    const rp = await list('?status=running,paused');
    expect(rp.data).toHaveLength(12);
    expect(new Set(rp.data.map((s) => s.status))).toEqual(new Set(['running', 'paused']));
    const del = await list('?status=deleted');
    expect(del.data).toHaveLength(6);
    const py = await list('?template=python');
    expect(py.data.every((s) => s.template_name === 'python')).toBe(true);
    expect(py.data).toHaveLength(8);
    expect((await list('?region=local')).data).toHaveLength(24);
    expect((await list('?region=us-east')).data).toHaveLength(0);
    const one = ids[3] as string;
    const q = await list(`?q=${one.slice(-8).toUpperCase()}&status=${statuses.join(',')}`);
    expect(q.data.map((s) => s.id)).toEqual([one]);
    expect((await list('?q=node')).data.every((s) => s.template_name === 'nodejs')).toBe(true);
  });

  it('sorts by status and template name both ways, with stable cursor pages', async () => {
    for (const sort of ['status', 'template_name'] as const) {
      for (const order of ['asc', 'desc'] as const) {
        const paged = await all(`?sort=${sort}&order=${order}`, 5);
        expect(paged).toHaveLength(24);
        expect(new Set(paged.map((s) => s.id)).size).toBe(24);
        const keys = paged.map((s) => s[sort]);
        const sorted = [...keys].sort();
        expect(keys).toEqual(order === 'asc' ? sorted : sorted.reverse());
      }
    }
  });

  it.each([
    ['?limit=0'],
    ['?limit=101'],
    ['?limit=abc'],
    ['?cursor=not-a-cursor'],
    ['?status=sleeping'],
    ['?sort=size'],
    ['?order=sideways'],
  ])('rejects %s with 400 INVALID_REQUEST', async (query) => {
    const res = await e.app.inject({ url: `/v1/sandboxes${query}`, headers: e.auth });
    expect(res.statusCode).toBe(400);
    expect(json(res).code).toBe('INVALID_REQUEST');
  });

  it('rejects a cursor from a listing with another sort', async () => {
    const page = await list('?limit=2&sort=status');
    const res = await e.app.inject({
      url: `/v1/sandboxes?limit=2&cursor=${encodeURIComponent(page.next_cursor as string)}`,
      headers: e.auth,
    });
    expect(res.statusCode).toBe(400);
  });
});
