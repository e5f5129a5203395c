import { describe, expect, it } from 'vitest';
import { isValidEnvKey, parseDotenv } from './dotenv';

describe('parseDotenv', () => {
  it('reads KEY=value lines, comments, export and quotes', () => {
    const text = [
      '# a comment',
      'API_URL=https://example.com/?a=b',
      'export TOKEN="abc def"',
      "SINGLE='x # not a comment'",
      'EMPTY=',
      'INLINE=value # trailing comment',
      'MULTI="line1\\nline2"',
      '',
    ].join('\n');
    expect(parseDotenv(text)).toEqual({
      entries: [
        { key: 'API_URL', value: 'https://example.com/?a=b' },
        { key: 'TOKEN', value: 'abc def' },
        { key: 'SINGLE', value: 'x # not a comment' },
        { key: 'EMPTY', value: '' },
        { key: 'INLINE', value: 'value' },
        { key: 'MULTI', value: 'line1\nline2' },
      ],
      errors: [],
    });
  });

  it('keeps the last value of a repeated key and handles CRLF', () => {
    expect(parseDotenv('A=1\r\nB=2\r\nA=3').entries).toEqual([
      { key: 'B', value: '2' },
      { key: 'A', value: '3' },
    ]);
  });

  it('reports lines it cannot read, with their numbers', () => {
    const { entries, errors } = parseDotenv('GOOD=1\nno equals sign\n1BAD=x\nQ="open');
    expect(entries).toEqual([{ key: 'GOOD', value: '1' }]);
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4]);
  });

  it('validates names the way the engine does', () => {
    expect(isValidEnvKey('_OK_1')).toBe(true);
    expect(isValidEnvKey('9NO')).toBe(false);
    expect(isValidEnvKey('NO-DASH')).toBe(false);
  });
});
