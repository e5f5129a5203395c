import { describe, expect, it } from 'vitest';
import { nextPage, previousPage, resetPaging, sandboxListSearchSchema, toListParams } from './search';

describe('sandbox list search params', () => {
  it('accepts every filter, sort and page size', () => {
    const s = sandboxListSearchSchema.parse({
      status: ['running', 'deleted'],
      template: 'nodejs',
      region: 'local',
      backend: 'cloud',
      q: 'abc',
      sort: 'template_name',
      order: 'asc',
      limit: 25,
      cursor: 'c2',
      prev: ['', 'c1'],
    });
    expect(toListParams(s)).toEqual({
      limit: 25,
      cursor: 'c2',
      status: ['deleted', 'running'],
      template: 'nodejs',
      region: 'local',
      backend: 'cloud',
      q: 'abc',
      sort: 'template_name',
      order: 'asc',
    });
  });

  it('falls back to defaults for values a stale or hand-edited link may carry', () => {
    const s = sandboxListSearchSchema.parse({
      status: ['running', 'bogus'],
      sort: 'id',
      limit: 7,
      order: 'up',
    });
    expect(s).toEqual({ status: undefined, sort: undefined, limit: undefined, order: undefined });
    expect(toListParams(s)).toEqual({ limit: 50 });
  });

  it('keeps a cursor stack so Previous returns to the exact earlier page', () => {
    const p1 = sandboxListSearchSchema.parse({ template: 'nodejs' });
    const p2 = nextPage(p1, 'A');
    const p3 = nextPage(p2, 'B');
    expect(p3).toMatchObject({ cursor: 'B', prev: ['', 'A'] });
    expect(previousPage(p3)).toMatchObject({ cursor: 'A', prev: [''] });
    expect(previousPage(previousPage(p3))).toEqual({
      template: 'nodejs',
      cursor: undefined,
      prev: undefined,
    });
  });

  it('starts again from the first page when a filter changes', () => {
    const p = nextPage(sandboxListSearchSchema.parse({}), 'A');
    expect(resetPaging(p, { q: 'x' })).toEqual({ q: 'x', cursor: undefined, prev: undefined });
  });
});
