// The runner's frame format: frames split and joined across reads, and what a hostile cell could
// write on the runner's socket (oversized lengths, bytes that are not JSON, non-objects).
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, type RunnerEvent } from './kernel-frames.ts';

function decoder(max = 1024) {
  const frames: RunnerEvent[] = [];
  const bad: string[] = [];
  const d = new FrameDecoder(
    max,
    (f) => frames.push(f),
    (why) => bad.push(why),
  );
  return { d, frames, bad };
}

describe('runner frames', () => {
  it('decodes frames split across reads and several in one read', () => {
    const { d, frames, bad } = decoder();
    const bytes = Buffer.concat([
      encodeFrame({ type: 'stream', text: 'héllo' }),
      encodeFrame({ type: 'done', id: 'x' }),
    ]);
    for (const b of bytes) d.push(Buffer.from([b]));
    d.push(Buffer.concat([encodeFrame({ type: 'a' }), encodeFrame({ type: 'b' })]));
    expect(frames.map((f) => f.type)).toEqual(['stream', 'done', 'a', 'b']);
    expect(frames[0]?.text).toBe('héllo');
    expect(bad).toEqual([]);
  });

  it('refuses a length over the limit without buffering it, then ignores the rest', () => {
    const { d, frames, bad } = decoder(100);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(0xffffffff);
    d.push(head);
    d.push(encodeFrame({ type: 'after' }));
    expect(bad).toHaveLength(1);
    expect(frames).toEqual([]);
  });

  it('refuses bytes that are not a JSON event object', () => {
    for (const body of ['not json', '[1,2]', 'null', '{"no":"type"}']) {
      const { d, bad } = decoder();
      const b = Buffer.from(body);
      const head = Buffer.alloc(4);
      head.writeUInt32BE(b.length);
      d.push(Buffer.concat([head, b]));
      expect(bad, body).toHaveLength(1);
    }
  });
});
