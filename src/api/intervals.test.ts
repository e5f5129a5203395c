import { describe, expect, it } from 'vitest';
import { ApiError } from './client';
import {
  backoffInterval,
  FAST_POLL_MS,
  SLOW_POLL_MS,
  rateLimitDelay,
  retryDelay,
  sandboxPollInterval,
  shouldRetry,
} from './intervals';

const tooMany = (retryAfter: number | null) =>
  new ApiError({ status: 429, code: 'RATE_LIMIT_EXCEEDED', message: 'slow down', retryAfter });

describe('sandbox polling policy', () => {
  it('polls slowly when nothing is changing', () => {
    expect(sandboxPollInterval({ statuses: ['running', 'paused', 'stopped'], pendingActions: 0 })).toBe(
      SLOW_POLL_MS,
    );
    expect(sandboxPollInterval({ statuses: [], pendingActions: 0 })).toBe(SLOW_POLL_MS);
  });

  it('polls fast while a sandbox is creating or an action is in flight', () => {
    expect(sandboxPollInterval({ statuses: ['running', 'creating'], pendingActions: 0 })).toBe(FAST_POLL_MS);
    expect(sandboxPollInterval({ statuses: ['running'], pendingActions: 2 })).toBe(FAST_POLL_MS);
    expect(FAST_POLL_MS).toBeLessThan(SLOW_POLL_MS);
  });
});

describe('polling after a 429 (every polling query, through the query client)', () => {
  it('waits Retry-After, even when the query would poll fast', () => {
    expect(backoffInterval(FAST_POLL_MS, tooMany(42))).toBe(42_000);
  });

  it('never polls faster than the query itself would', () => {
    expect(backoffInterval(SLOW_POLL_MS, tooMany(2))).toBe(SLOW_POLL_MS);
  });

  it('leaves a query that does not poll alone', () => {
    expect(backoffInterval(false, tooMany(42))).toBe(false);
    expect(backoffInterval(undefined, tooMany(42))).toBeUndefined();
  });

  it('ignores errors other than 429', () => {
    const e = new ApiError({ status: 502, code: 'UPSTREAM_UNAVAILABLE', message: 'cloud is down' });
    expect(backoffInterval(FAST_POLL_MS, e)).toBe(FAST_POLL_MS);
    expect(backoffInterval(FAST_POLL_MS, null)).toBe(FAST_POLL_MS);
  });
});

describe('retries', () => {
  it('waits Retry-After seconds (at least one) before retrying a 429', () => {
    expect(rateLimitDelay(tooMany(7))).toBe(7_000);
    expect(rateLimitDelay(tooMany(0))).toBe(1_000);
    expect(rateLimitDelay(tooMany(null))).toBeGreaterThan(0);
    expect(retryDelay(0, tooMany(3))).toBe(3_000);
  });

  it('retries 429, 5xx and network errors a few times, never other 4xx', () => {
    expect(shouldRetry(0, tooMany(1))).toBe(true);
    expect(shouldRetry(5, tooMany(1))).toBe(false);
    expect(shouldRetry(0, new ApiError({ status: 503, code: 'SERVICE_UNAVAILABLE', message: '' }))).toBe(
      true,
    );
    expect(shouldRetry(0, new ApiError({ status: 0, code: 'NETWORK_ERROR', message: '' }))).toBe(true);
    expect(shouldRetry(0, new ApiError({ status: 404, code: 'RESOURCE_NOT_FOUND', message: '' }))).toBe(
      false,
    );
    expect(shouldRetry(0, new ApiError({ status: 401, code: 'AUTHENTICATION_REQUIRED', message: '' }))).toBe(
      false,
    );
  });

  it('grows the backoff without a Retry-After, up to a cap', () => {
    const e = new ApiError({ status: 502, code: 'X', message: '' });
    expect(retryDelay(1, e)).toBeLessThan(retryDelay(2, e));
    expect(retryDelay(30, e)).toBe(30_000);
  });
});
