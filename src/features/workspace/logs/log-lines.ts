/** The log tab's line buffer: text chunks in, whole lines out, bounded in count and length. */
export const MAX_LINES = 5000;
export const MAX_LINE_CHARS = 2000;

export interface LogBuffer {
  lines: string[];
  /** The unfinished last line (no newline yet). */
  partial: string;
  /** Lines dropped from the top to stay under MAX_LINES. */
  dropped: number;
}

export const emptyLog = (): LogBuffer => ({ lines: [], partial: '', dropped: 0 });

const clip = (line: string) =>
  line.length > MAX_LINE_CHARS
    ? `${line.slice(0, MAX_LINE_CHARS)} … [${line.length - MAX_LINE_CHARS} more characters]`
    : line;

export function appendLog(buf: LogBuffer, text: string): LogBuffer {
  const parts = (buf.partial + text).split('\n');
  const partial = parts.pop() ?? '';
  const lines = buf.lines.concat(parts.map(clip));
  const over = Math.max(0, lines.length - MAX_LINES);
  return {
    lines: over > 0 ? lines.slice(over) : lines,
    // a line that never ends is still bounded
    partial: partial.length > MAX_LINE_CHARS * 4 ? partial.slice(-MAX_LINE_CHARS * 4) : partial,
    dropped: buf.dropped + over,
  };
}

/** Every line, the unfinished one included. */
export function allLines(buf: LogBuffer): string[] {
  return buf.partial ? [...buf.lines, clip(buf.partial)] : buf.lines;
}
