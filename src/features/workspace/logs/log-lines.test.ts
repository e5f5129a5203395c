import { describe, expect, it } from 'vitest';
import { allLines, appendLog, emptyLog, MAX_LINE_CHARS, MAX_LINES } from './log-lines';

describe('log line buffer', () => {
  it('joins chunks into lines and keeps the unfinished one apart', () => {
    let b = appendLog(emptyLog(), 'one\ntw');
    b = appendLog(b, 'o\nthree');
    expect(b.lines).toEqual(['one', 'two']);
    expect(allLines(b)).toEqual(['one', 'two', 'three']);
  });

  it('bounds the number of lines and the length of each', () => {
    const b = appendLog(emptyLog(), `${'x\n'.repeat(MAX_LINES + 10)}${'y'.repeat(MAX_LINE_CHARS * 10)}\n`);
    expect(b.lines.length).toBe(MAX_LINES);
    expect(b.dropped).toBe(11);
    expect(b.lines.at(-1)?.length).toBeLessThan(MAX_LINE_CHARS + 40);
    expect(appendLog(emptyLog(), 'z'.repeat(MAX_LINE_CHARS * 10)).partial.length).toBe(MAX_LINE_CHARS * 4);
  });
});
