/**
 * The one fetch wrapper of the dashboard. Same-origin requests with the session cookie (the API key
 * never reaches the browser), JSON in and out, responses parsed with the shared zod schemas, and every
 * failure turned into one ApiError carrying the HopX envelope's fields.
 */
import type { z } from 'zod';
import { ErrorEnvelope } from '@contract/schemas';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  /** Seconds to wait before retrying (429 `Retry-After` header or `retry_after` field). */
  readonly retryAfter: number | null;
  readonly details: Record<string, unknown>;
  /** On 409 lifecycle conflicts, the sandbox's current status. */
  readonly currentStatus: string | null;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    requestId?: string | null;
    retryAfter?: number | null;
    details?: Record<string, unknown>;
    currentStatus?: string | null;
  }) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId ?? null;
    this.retryAfter = init.retryAfter ?? null;
    this.details = init.details ?? {};
    this.currentStatus = init.currentStatus ?? null;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

function parseRetryAfter(header: string | null, body: number | undefined): number | null {
  if (header) {
    const secs = Number(header);
    if (Number.isFinite(secs) && secs >= 0) return secs;
    const at = Date.parse(header);
    if (!Number.isNaN(at)) return Math.max(0, Math.ceil((at - Date.now()) / 1000));
  }
  return typeof body === 'number' && body >= 0 ? body : null;
}

/** HopX's nested form (`details.retry_after_seconds`), which the Python SDK reads. */
const retryAfterSeconds = (v: unknown) => (typeof v === 'number' ? v : undefined);

/** The engine's error envelope (control plane or a sandbox's gateway) as an ApiError. */
export async function toApiError(res: Response): Promise<ApiError> {
  const headerId = res.headers.get('x-request-id');
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: fall back to the status text
  }
  const env = ErrorEnvelope.partial().safeParse(body);
  const e = env.success ? env.data : {};
  return new ApiError({
    status: res.status,
    code: e.code ?? `HTTP_${res.status}`,
    message: e.message ?? e.error ?? (res.statusText || `Request failed with status ${res.status}`),
    requestId: e.request_id ?? headerId,
    retryAfter: parseRetryAfter(
      res.headers.get('retry-after'),
      e.retry_after ?? retryAfterSeconds(e.details?.retry_after_seconds),
    ),
    details: e.details ?? {},
    currentStatus: e.status ?? null,
  });
}

export interface RequestOptions<S extends z.ZodType> {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  schema: S;
  signal?: AbortSignal;
}

export function buildUrl(path: string, query?: RequestOptions<z.ZodType>['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export async function request<S extends z.ZodType>(
  path: string,
  opts: RequestOptions<S>,
): Promise<z.infer<S>> {
  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method: opts.method ?? 'GET',
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: opts.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError({
      status: 0,
      code: 'NETWORK_ERROR',
      message: 'Cannot reach the engine. Is it running?',
    });
  }
  if (!res.ok) throw await toApiError(res);
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new ApiError({
      status: res.status,
      code: 'INVALID_RESPONSE',
      message: 'The engine answered with something that is not JSON.',
      requestId: res.headers.get('x-request-id'),
    });
  }
  const parsed = opts.schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError({
      status: res.status,
      code: 'INVALID_RESPONSE',
      message: `Unexpected response from the engine${issue ? ` at ${issue.path.join('.') || '(root)'}: ${issue.message}` : ''}.`,
      requestId: res.headers.get('x-request-id'),
    });
  }
  return parsed.data as z.infer<S>;
}
