/**
 * Keeping the upstream's API key out of what the engine passes on (decision 0014, "Safety"): an
 * upstream may echo it (in an error message, a header, a streamed log), and the engine must not
 * hand it to a client or write it to its log.
 */
import { Transform } from 'node:stream';

export const REDACTED = '[redacted]';

export const redactText = (secret: string, text: string): string =>
  secret && text.includes(secret) ? text.split(secret).join(REDACTED) : text;

/**
 * A stream with every occurrence of `secret` replaced, also across chunk boundaries: the last
 * `secret.length - 1` bytes of a chunk are held back until the next one (or the end) arrives.
 */
export function redactStream(secret: string): Transform {
  const needle = Buffer.from(secret);
  const keep = Math.max(0, needle.length - 1);
  let tail: Buffer = Buffer.alloc(0);
  const scrub = (buf: Buffer): Buffer => {
    const parts: Buffer[] = [];
    let from = 0;
    for (let at = buf.indexOf(needle); at !== -1; at = buf.indexOf(needle, from)) {
      parts.push(buf.subarray(from, at), Buffer.from(REDACTED));
      from = at + needle.length;
    }
    parts.push(buf.subarray(from));
    return Buffer.concat(parts);
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const all = scrub(Buffer.concat([tail, chunk]));
      const cut = Math.max(0, all.length - keep);
      tail = all.subarray(cut);
      done(null, all.subarray(0, cut));
    },
    flush(done) {
      done(null, tail);
    },
  });
}
