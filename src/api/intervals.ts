/**
 * Every polling interval and cache time of the dashboard, in one place (milliseconds).
 */
import { ApiError } from './client';

/** While any sandbox on screen is `creating` or a lifecycle action is in flight. */
export const FAST_POLL_MS = 1_000;
/** When nothing is changing. */
export const SLOW_POLL_MS = 10_000;
/** The engine's health on the settings page and in the header. */
export const HEALTH_POLL_MS = 15_000;
/** The backends (`GET /v1/backends`): the engine probes them every ~10 s itself. */
export const BACKENDS_POLL_MS = 15_000;
export const BACKENDS_STALE_MS = 5_000;
/** Ticks of live countdowns (expires_at, token expiry). */
export const COUNTDOWN_TICK_MS = 1_000;
/** Data is considered fresh this long after a fetch. */
export const DEFAULT_STALE_MS = 2_000;
/** The template catalog changes rarely. */
export const TEMPLATES_STALE_MS = 60_000;
/** The session is checked again at most this often on navigation (a 401 ends it at once anyway). */
export const SESSION_STALE_MS = 60_000;
export const HEALTH_STALE_MS = 5_000;
/** Typing in a list's search box is committed to the URL after this pause. */
export const SEARCH_DEBOUNCE_MS = 300;
/** Upper bound of retry backoff when the engine gives no Retry-After. */
export const MAX_RETRY_DELAY_MS = 30_000;
/** Used when a 429 carries no Retry-After. */
export const DEFAULT_RETRY_AFTER_MS = 5_000;

export interface PollInput {
  /** Statuses of the sandboxes the query returned (empty when none or not loaded). */
  statuses: readonly string[];
  /** Number of lifecycle mutations in flight. */
  pendingActions: number;
}

/** Delay before retrying after a 429, from Retry-After (seconds), else the default. */
export function rateLimitDelay(error: unknown): number | null {
  if (!(error instanceof ApiError) || error.status !== 429) return null;
  return error.retryAfter !== null ? Math.max(1_000, error.retryAfter * 1000) : DEFAULT_RETRY_AFTER_MS;
}

/**
 * The sandbox polling policy: ~1 s while something is changing, ~10 s otherwise. (Polling is off
 * while the tab is hidden through refetchIntervalInBackground; a 429 stretches it, see below.)
 */
export function sandboxPollInterval({ statuses, pendingActions }: PollInput): number {
  if (pendingActions > 0 || statuses.includes('creating')) return FAST_POLL_MS;
  return SLOW_POLL_MS;
}

/**
 * The poll interval a query gets after its own policy (`interval`) and its last failure: after a
 * 429 no sooner than Retry-After says (never faster than the query's own pace). No polling stays no
 * polling. The query client applies this to every polling query (query-client.ts), so no hook has
 * to remember it.
 */
export function backoffInterval(
  interval: number | false | undefined,
  error: unknown,
): number | false | undefined {
  if (!interval) return interval;
  const limited = rateLimitDelay(error);
  return limited === null ? interval : Math.max(interval, limited);
}

/** Retry policy of queries: 429 after Retry-After, 5xx and network errors twice, never 4xx. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (!(error instanceof ApiError)) return failureCount < 2;
  if (error.status === 429) return failureCount < 5;
  if (error.status === 0 || error.status >= 500) return failureCount < 2;
  return false;
}

export function retryDelay(failureCount: number, error: unknown): number {
  return rateLimitDelay(error) ?? Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** failureCount);
}

/** Workspace processes tab: while any background job runs, and when all are done. */
export const PROCESSES_FAST_POLL_MS = 1_000;
export const PROCESSES_SLOW_POLL_MS = 5_000;
/** Reconnect backoff of workspace sockets (terminal, file watch): first and longest delay. */
export const RECONNECT_MIN_MS = 500;
export const RECONNECT_MAX_MS = 10_000;
