/**
 * Watches one `/execute/stream` socket for the run history: the client's `execute` frame opens a
 * record, the agent's frames fill it, `complete` (or the socket closing) finishes it. Frames are
 * untrusted: anything that is not a small JSON object of a known type is ignored.
 */
import { ExecutionRecording, type HistorySink } from './history.ts';
import type { GatewayLogger } from './types.ts';

/** Frames larger than this are not parsed for the history (they are still relayed). */
const PARSE_LIMIT = 8 * 1024 * 1024;

function parseFrame(text: string): Record<string, unknown> | null {
  if (text.length === 0 || text.length > PARSE_LIMIT || text.charCodeAt(0) !== 0x7b /* { */) return null;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export class StreamObserver {
  #current: ExecutionRecording | null = null;

  constructor(
    private readonly sandboxId: string,
    private readonly sink: HistorySink,
    private readonly log?: GatewayLogger,
  ) {}

  fromClient(text: string): void {
    const frame = parseFrame(text);
    if (this.#current && !this.#current.finished) {
      if (frame?.type === 'kill') this.#current.outcome('killed');
      return;
    }
    if (frame?.type !== 'execute') return;
    this.#current = new ExecutionRecording(this.sandboxId, frame, this.sink, this.log);
  }

  fromAgent(text: string): void {
    const rec = this.#current;
    if (!rec || rec.finished) return;
    const frame = parseFrame(text);
    if (!frame) return;
    switch (frame.type) {
      case 'start':
        rec.start(frame.execution_id);
        return;
      case 'stdout':
        rec.start();
        rec.stdout(frame.data);
        return;
      case 'stderr':
        rec.start();
        rec.stderr(frame.data);
        return;
      case 'rich_output': {
        rec.start();
        // `type` names the frame, so the MIME type travels as `mime_type` (or the output is nested).
        if (frame.output !== null && typeof frame.output === 'object') rec.rich(frame.output);
        else
          rec.rich({
            format: frame.format,
            data: frame.data,
            metadata: frame.metadata,
            type: frame.mime_type ?? frame.mime,
          });
        return;
      }
      case 'result':
        rec.start();
        rec.result(frame);
        return;
      case 'error':
        rec.start();
        rec.outcome(frame.code === 'EXECUTION_TIMEOUT' ? 'timeout' : 'failed');
        if (typeof frame.error === 'string') rec.errorText(frame.error);
        return;
      case 'complete':
        if (frame.success === false) rec.outcome('failed');
        rec.finish('completed');
        return;
    }
  }

  /** The socket closed: a run still open was cut short (by the client: killed). */
  closed(byClient: boolean): void {
    const rec = this.#current;
    if (rec && !rec.finished) rec.finish(byClient ? 'killed' : 'failed');
  }
}
