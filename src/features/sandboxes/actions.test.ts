import { describe, expect, it } from 'vitest';
import type { Sandbox } from '@contract/schemas';
import { planBulk } from './actions';

const sb = (id: string, status: Sandbox['status']) => ({ id, status }) as Sandbox;

describe('planBulk', () => {
  const rows = [sb('a', 'running'), sb('b', 'paused'), sb('c', 'stopped'), sb('d', 'running')];

  it('counts only the selected sandboxes the action applies to', () => {
    const plan = planBulk(rows, new Set(['a', 'b', 'c']), 'pause');
    expect(plan.apply).toEqual(['a']);
    expect(plan.skip.map((s) => s.id)).toEqual(['b', 'c']);
  });

  it('applies each lifecycle action only from its allowed statuses', () => {
    const all = new Set(['a', 'b', 'c', 'd']);
    expect(planBulk(rows, all, 'resume').apply).toEqual(['b']);
    expect(planBulk(rows, all, 'start').apply).toEqual(['c']);
    expect(planBulk(rows, all, 'stop').apply).toEqual(['a', 'b', 'd']);
    expect(planBulk(rows, all, 'delete').apply).toEqual(['a', 'b', 'c', 'd']);
  });
});
