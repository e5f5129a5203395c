/**
 * Output of one execution: stdout/stderr chunks and rich outputs go to a sink (collected for
 * POST /execute, framed for /execute/stream). The per-execution cap is enforced here: past it,
 * output is dropped and `truncated` is set, while the process keeps running.
 */
import type { RichOutput } from '../../contract/schemas.ts';

export type StreamName = 'stdout' | 'stderr';

export interface OutputSink {
  text(name: StreamName, data: string): void;
  rich(output: RichOutput): void;
  /** True while the consumer cannot take more (a slow WebSocket): producers should pause. */
  readonly congested: boolean;
  /** Resolves when the consumer has room again. */
  drained(): Promise<void>;
  /** Output was dropped before reaching the sink (e.g. an oversized kernel bundle). */
  markTruncated?(): void;
}

export class CappedOutput implements OutputSink {
  #used = 0;
  truncated = false;

  constructor(
    readonly capBytes: number,
    private readonly inner: OutputSink,
  ) {}

  get congested(): boolean {
    return this.inner.congested;
  }

  drained(): Promise<void> {
    return this.inner.drained();
  }

  markTruncated(): void {
    this.truncated = true;
  }

  text(name: StreamName, data: string): void {
    if (data.length === 0) return;
    if (this.truncated) return;
    const size = Buffer.byteLength(data);
    if (this.#used + size <= this.capBytes) {
      this.#used += size;
      this.inner.text(name, data);
      return;
    }
    // Keep what fits, on a character boundary.
    const room = this.capBytes - this.#used;
    const head = Buffer.from(data)
      .subarray(0, Math.max(0, room))
      .toString('utf8')
      .replace(/\uFFFD$/, '');
    this.#used = this.capBytes;
    this.truncated = true;
    if (head) this.inner.text(name, head);
  }

  rich(output: RichOutput): void {
    if (this.truncated) return;
    const size = Buffer.byteLength(JSON.stringify(output.data ?? ''));
    if (this.#used + size > this.capBytes) {
      this.truncated = true;
      return;
    }
    this.#used += size;
    this.inner.rich(output);
  }
}

/** Collects everything in memory (bounded by the cap in front of it). */
export class CollectingSink implements OutputSink {
  stdout = '';
  stderr = '';
  readonly richOutputs: RichOutput[] = [];
  readonly congested = false;

  text(name: StreamName, data: string): void {
    if (name === 'stdout') this.stdout += data;
    else this.stderr += data;
  }

  rich(output: RichOutput): void {
    this.richOutputs.push(output);
  }

  drained(): Promise<void> {
    return Promise.resolve();
  }
}

const FORMAT_BY_MIME: Record<string, RichOutput['format']> = {
  'image/png': 'base64',
  'image/jpeg': 'base64',
  'image/gif': 'base64',
  'text/html': 'html',
  'application/json': 'json',
};

/** The MIME types we pass on, most specific first; text/plain only when nothing richer exists. */
const KNOWN_MIMES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/svg+xml',
  'text/html',
  'text/markdown',
  'text/latex',
  'application/json',
  'application/javascript',
  'application/vnd.plotly.v1+json',
  'application/vnd.dataframe+json',
];

/** Turn one Jupyter MIME bundle into rich outputs (one per MIME type we know). */
export function richFromBundle(
  bundle: Record<string, unknown>,
  metadata: Record<string, unknown>,
  isResult: boolean,
): RichOutput[] {
  const out: RichOutput[] = [];
  for (const mime of KNOWN_MIMES) {
    if (!(mime in bundle)) continue;
    const raw = bundle[mime];
    const data = typeof raw === 'string' && FORMAT_BY_MIME[mime] === 'base64' ? raw.replace(/\n/g, '') : raw;
    out.push({
      type: mime,
      format: FORMAT_BY_MIME[mime] ?? (typeof data === 'string' ? 'text' : 'json'),
      data,
      metadata: sourceOf(mime, metadata),
    });
  }
  if (out.length === 0 && typeof bundle['text/plain'] === 'string') {
    out.push({
      type: 'text/plain',
      format: 'text',
      data: bundle['text/plain'],
      metadata: { result: isResult },
    });
  }
  return out;
}

function sourceOf(mime: string, metadata: Record<string, unknown>): Record<string, unknown> {
  const own = metadata[mime];
  return own !== null && typeof own === 'object' ? { ...(own as Record<string, unknown>) } : {};
}
