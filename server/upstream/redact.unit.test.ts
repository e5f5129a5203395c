import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { redactStream, redactText } from './redact.ts';

const KEY = 'sk-secret-0123456789';

describe('redacting the upstream key', () => {
  it('replaces every occurrence in text', () => {
    expect(redactText(KEY, `a ${KEY} b ${KEY}`)).toBe('a [redacted] b [redacted]');
    expect(redactText(KEY, 'nothing here')).toBe('nothing here');
  });

  it('replaces it in a stream, also split across chunks of any size', async () => {
    const input = `data: ${KEY}\n\ndata: ok ${KEY}${KEY}\n\nend sk-secret-01`;
    for (const size of [1, 3, 7, 20, 1000]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < input.length; i += size) chunks.push(Buffer.from(input.slice(i, i + size)));
      const out = await text(Readable.from(chunks).pipe(redactStream(KEY)));
      expect(out).toBe('data: [redacted]\n\ndata: ok [redacted][redacted]\n\nend sk-secret-01');
    }
  });
});
