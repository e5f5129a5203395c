// The output cap and the MIME-bundle mapping, which every execution goes through.
import { describe, expect, it } from 'vitest';
import { topLevelKeys } from './execute.ts';
import { CappedOutput, CollectingSink, richFromBundle } from './output.ts';

describe('CappedOutput', () => {
  it('passes output through until the cap, then truncates on a character boundary', () => {
    const sink = new CollectingSink();
    const capped = new CappedOutput(10, sink);
    capped.text('stdout', 'abcdef');
    capped.text('stderr', 'ééé'); // 6 bytes: only two characters (4 bytes) fit
    capped.text('stdout', 'more');
    expect(sink.stdout).toBe('abcdef');
    expect(sink.stderr).toBe('éé');
    expect(capped.truncated).toBe(true);
  });

  it('counts rich outputs against the cap', () => {
    const sink = new CollectingSink();
    const capped = new CappedOutput(20, sink);
    capped.rich({ type: 'text/html', format: 'html', data: '<b>ok</b>' });
    capped.rich({ type: 'text/html', format: 'html', data: 'x'.repeat(50) });
    expect(sink.richOutputs).toHaveLength(1);
    expect(capped.truncated).toBe(true);
  });
});

describe('richFromBundle', () => {
  it('keeps known MIME types and drops text/plain when something richer exists', () => {
    const out = richFromBundle({ 'text/plain': '<Figure>', 'image/png': 'iVBO\nRw==\n' }, {}, false);
    expect(out).toEqual([{ type: 'image/png', format: 'base64', data: 'iVBORw==', metadata: {} }]);
  });

  it('falls back to text/plain for plain results', () => {
    expect(richFromBundle({ 'text/plain': '42' }, {}, true)).toEqual([
      { type: 'text/plain', format: 'text', data: '42', metadata: { result: true } },
    ]);
  });

  it('fills the top-level keys the SDKs read, first value per type', () => {
    const keys = topLevelKeys([
      { type: 'image/png', format: 'base64', data: 'A' },
      { type: 'image/png', format: 'base64', data: 'B' },
      { type: 'text/html', format: 'html', data: '<table>' },
      { type: 'application/json', format: 'json', data: { a: 1 } },
    ]);
    expect(keys).toEqual({ png: 'A', html: '<table>', json: { a: 1 } });
  });
});
