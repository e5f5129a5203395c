import { describe, expect, it } from 'vitest';
import { UI_CAP_CHARS, UI_CAP_LINES, admitText, appendOps, emptyBudget } from './output-model';

describe('output caps', () => {
  it('passes text through until the character cap, then cuts and stops accepting', () => {
    const b = emptyBudget();
    expect(admitText(b, 'hello\n')).toBe('hello\n');
    const big = 'x'.repeat(UI_CAP_CHARS);
    const admitted = admitText(b, big);
    expect(admitted.length).toBe(UI_CAP_CHARS - 6);
    expect(b.truncated).toBe(true);
    expect(admitText(b, 'more')).toBe('');
  });

  it('cuts at the line cap on a line boundary', () => {
    const b = emptyBudget();
    const lines = Array.from({ length: UI_CAP_LINES + 10 }, (_, i) => `${i}\n`).join('');
    const admitted = admitText(b, lines);
    expect(admitted.split('\n').length - 1).toBe(UI_CAP_LINES);
    expect(admitted.endsWith(`${UI_CAP_LINES - 1}\n`)).toBe(true);
    expect(b.truncated).toBe(true);
  });
});

describe('appendOps', () => {
  it('merges consecutive chunks of one stream in a batch and keeps the order of streams', () => {
    let id = 0;
    const items = appendOps(
      [],
      [
        { kind: 'stdout', text: 'a' },
        { kind: 'stdout', text: 'b' },
        { kind: 'stderr', text: 'E' },
        { kind: 'stdout', text: 'c' },
      ],
      () => ++id,
    );
    expect(items.map((i) => [i.kind, 'text' in i ? i.text : ''])).toEqual([
      ['stdout', 'ab'],
      ['stderr', 'E'],
      ['stdout', 'c'],
    ]);
  });

  it('never changes items already shown (a new batch starts a new item)', () => {
    let id = 0;
    const first = appendOps([], [{ kind: 'stdout', text: 'a' }], () => ++id);
    const second = appendOps(first, [{ kind: 'stdout', text: 'b' }], () => ++id);
    expect(second[0]).toBe(first[0]);
    expect(second).toHaveLength(2);
  });
});
