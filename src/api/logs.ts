/**
 * The sandbox's own log (decision 0011): followed as Server-Sent Events (`log` chunks of text,
 * `reset` when the file was truncated, `end` when it went away), downloaded as a file.
 */
import { toApiError } from './client';

export const LOG_TAIL_BYTES = 256 * 1024;

export function logUrl(
  id: string,
  opts: { follow?: boolean; download?: boolean; tail?: number } = {},
): string {
  const q = new URLSearchParams();
  if (opts.follow) q.set('follow', 'true');
  if (opts.download) q.set('download', 'true');
  if (opts.tail !== undefined) q.set('tail', String(opts.tail));
  const qs = q.toString();
  return `/v1/sandboxes/${encodeURIComponent(id)}/logs${qs ? `?${qs}` : ''}`;
}

export interface LogStreamHandlers {
  onText: (text: string) => void;
  onReset: () => void;
  onEnd: (reason: string) => void;
  /** The stream closed for good: the ApiError (from a plain request) says why. */
  onError: (error: unknown) => void;
}

/** Follow the log; returns a function that stops. EventSource reconnects by itself on drops. */
export function followLog(id: string, h: LogStreamHandlers): () => void {
  const es = new EventSource(logUrl(id, { follow: true, tail: LOG_TAIL_BYTES }));
  const text = (e: MessageEvent<string>) => JSON.parse(e.data) as string;
  // each (re)connection replays the tail first: start over rather than duplicate lines
  es.addEventListener('open', () => h.onReset());
  es.addEventListener('log', (e) => h.onText(text(e as MessageEvent<string>)));
  es.addEventListener('reset', () => h.onReset());
  es.addEventListener('end', (e) => {
    h.onEnd(text(e as MessageEvent<string>));
    es.close();
  });
  es.addEventListener('error', () => {
    if (es.readyState !== EventSource.CLOSED) return;
    // EventSource hides the status: ask once more to learn why
    fetch(logUrl(id, { tail: 0 }), { credentials: 'same-origin' }).then(
      async (r) => h.onError(r.ok ? new Error('The log stream closed') : await toApiError(r)),
      (err: unknown) => h.onError(err),
    );
  });
  return () => es.close();
}
