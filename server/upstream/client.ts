/**
 * One upstream backend's HTTP client (decision 0014): every call carries the server-held key
 * (`X-API-Key`) and a bounded timeout; failures of our own making become the HopX envelope
 * (502 UPSTREAM_UNAVAILABLE, 504 UPSTREAM_TIMEOUT) naming the backend. Each answer (or failure)
 * also feeds the backend's health, which `GET /v1/backends` shows.
 */
import { rfc3339 } from '../../contract/wire.ts';
import { HttpError } from '../errors.ts';
import type { Transform } from 'node:stream';
import { envKeyName, type UpstreamConfig } from './config.ts';
import { redactStream, redactText } from './redact.ts';

export const REQUEST_TIMEOUT_MS = 30_000;
export const CREATE_TIMEOUT_MS = 120_000;
/** The most of an upstream answer the engine reads to parse and rewrite (a 100-item list is ~100 KiB). */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/** Read at most `max` bytes of a body; more is an error (the rest is never read). */
async function readCapped(res: Response, max: number): Promise<string | null> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) {
    await res.body?.cancel().catch(() => undefined);
    return null;
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface BackendHealth {
  status: 'ok' | 'degraded' | 'down';
  latencyMs: number | null;
  checkedAt: string | null;
  message: string | null;
}

export interface CallOptions {
  /** Path with its query, e.g. `/v1/sandboxes?limit=5`. */
  path: string;
  method?: string;
  /** A JSON body (serialized here). */
  body?: unknown;
  /** Our request id: sent as `X-Request-ID` so both engines log the same id. */
  requestId?: string;
  timeoutMs?: number;
  /** A body that is not JSON (an SSE log, a file) is left unread for the caller to stream. */
  stream?: boolean;
  /** The client went away: stop the upstream call too. */
  signal?: AbortSignal;
}

export interface UpstreamAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or null when it is not JSON (see `text`/`response`). */
  json: unknown;
  text: string;
  /** Only for `stream: true`: the unread response. */
  response?: Response;
  /** Cut this upstream's key out of a header value or a streamed body passed on. */
  redact: { text(s: string): string; stream(): Transform };
}

function causeCode(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.message : 'network error';
}

export class UpstreamClient {
  readonly health: BackendHealth = { status: 'ok', latencyMs: null, checkedAt: null, message: null };

  /** Called when the health status changes (Backends logs it: an operator sees a wrong key or an outage). */
  onStatus: ((health: BackendHealth, was: BackendHealth['status']) => void) | null = null;

  constructor(
    readonly config: UpstreamConfig,
    /** Request timeout when a call names none (creates name CREATE_TIMEOUT_MS). */
    readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {}

  readonly #redact = {
    text: (s: string) => redactText(this.config.apiKey, s),
    stream: () => redactStream(this.config.apiKey),
  };

  get name(): string {
    return this.config.name;
  }

  /** A failure the engine makes of an unreachable or silent upstream (never includes the key). */
  unavailable(reason: string): HttpError {
    return new HttpError(502, 'UPSTREAM_UNAVAILABLE', `Backend "${this.name}" is unavailable: ${reason}`, {
      backend: this.name,
    });
  }

  /** The upstream answered, but with something the engine will not use (too big, a redirect, bad JSON). */
  bad(reason: string): HttpError {
    this.fail('degraded', reason);
    return new HttpError(502, 'UPSTREAM_BAD_ANSWER', `Backend "${this.name}" ${reason}`, {
      backend: this.name,
    });
  }

  async call(opts: CallOptions): Promise<UpstreamAnswer> {
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(new Error('timeout')), timeoutMs);
    const onClientGone = () => ctrl.abort(new Error('client closed'));
    opts.signal?.addEventListener('abort', onClientGone, { once: true });
    const started = performance.now();
    const headers: Record<string, string> = { 'x-api-key': this.config.apiKey, accept: 'application/json' };
    if (opts.requestId) headers['x-request-id'] = opts.requestId;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.config.url}${opts.path}`, {
        method: opts.method ?? 'GET',
        headers,
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
        signal: ctrl.signal,
        redirect: 'manual',
      });
      const type = res.headers.get('content-type') ?? '';
      if (res.status >= 300 && res.status < 400) {
        // Never followed (the key would go along): a redirect is not an answer we can use.
        await res.body?.cancel().catch(() => undefined);
        throw this.bad(`answered a redirect (${res.status}), which is not followed`);
      }
      if (res.status === 401) {
        // Passed on, the upstream's "Invalid API key" would tell an SDK its own key is wrong.
        await res.body?.cancel().catch(() => undefined);
        this.observe(401, performance.now() - started);
        throw this.unavailable(
          `it refused the engine's API key for it (check ${envKeyName(this.name)}, HOPX_API_KEY or the key file the engine was started with)`,
        );
      }
      if (opts.stream && !type.includes('json')) {
        clearTimeout(timer);
        this.observe(res.status, performance.now() - started);
        return {
          status: res.status,
          headers: res.headers,
          json: null,
          text: '',
          response: res,
          redact: this.#redact,
        };
      }
      const raw = await readCapped(res, MAX_ANSWER_BYTES);
      if (raw === null) throw this.bad(`answered more than ${MAX_ANSWER_BYTES >> 20} MiB`);
      // An upstream that echoes the key back (in an error message, say) must not pass it on.
      const text = redactText(this.config.apiKey, raw);
      this.observe(res.status, performance.now() - started);
      let json: unknown = null;
      if (text && type.includes('json')) {
        try {
          json = JSON.parse(text);
        } catch {
          if (res.status < 300) throw this.bad('answered malformed JSON');
          json = null;
        }
      }
      return { status: res.status, headers: res.headers, json, text, redact: this.#redact };
    } catch (err) {
      if (err instanceof HttpError) throw err;
      if (ctrl.signal.aborted && opts.signal?.aborted) throw this.unavailable('the request was cancelled');
      if (ctrl.signal.aborted) {
        this.fail('down', `no answer within ${Math.round(timeoutMs / 1000)} s`);
        throw new HttpError(
          504,
          'UPSTREAM_TIMEOUT',
          `Backend "${this.name}" did not answer within ${Math.round(timeoutMs / 1000)} s`,
          { backend: this.name },
        );
      }
      const reason = `cannot reach ${new URL(this.config.url).host} (${causeCode(err)})`;
      this.fail('down', reason);
      throw this.unavailable(reason);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onClientGone);
    }
  }

  /** A real answer: the backend is reachable; 5xx, 429 or a refused key mean degraded. */
  observe(status: number, ms: number): void {
    const h = this.health;
    const was = h.status;
    h.checkedAt = rfc3339();
    h.latencyMs = Math.round(ms);
    if (status >= 500) {
      h.status = 'degraded';
      h.message = `answers ${status}`;
    } else if (status === 429) {
      h.status = 'degraded';
      h.message = 'rate limited by the upstream';
    } else if (status === 401 || status === 403) {
      h.status = 'degraded';
      h.message = 'the upstream refused the API key';
    } else {
      h.status = 'ok';
      h.message = null;
    }
    if (h.status !== was) this.onStatus?.(h, was);
  }

  fail(status: 'down' | 'degraded', message: string): void {
    const was = this.health.status;
    this.health.status = status;
    this.health.latencyMs = null;
    this.health.checkedAt = rfc3339();
    this.health.message = message;
    if (status !== was) this.onStatus?.(this.health, was);
  }
}
