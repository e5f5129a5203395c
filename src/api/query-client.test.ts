// @vitest-environment jsdom
import { QueryObserver } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './client';
import { queryClient } from './query-client';

const tooMany = (retryAfter: number) =>
  new ApiError({ status: 429, code: 'RATE_LIMIT_EXCEEDED', message: 'slow down', retryAfter });

/** Subscribes a polling query (every second, no retries) and counts its fetches. */
function pollEverySecond(key: string, answer: (call: number) => unknown) {
  let calls = 0;
  const observer = new QueryObserver(queryClient, {
    queryKey: [key],
    queryFn: async () => {
      calls++;
      const out = answer(calls);
      if (out instanceof Error) throw out;
      return out;
    },
    refetchInterval: 1_000,
    retry: false,
  });
  const unsubscribe = observer.subscribe(() => undefined);
  return { calls: () => calls, unsubscribe };
}

describe('the query client after a 429', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    queryClient.clear();
    vi.useRealTimers();
  });

  it('polls at the query’s own pace while the engine answers', async () => {
    const q = pollEverySecond('steady', () => 'ok');
    await vi.advanceTimersByTimeAsync(5_500);
    expect(q.calls()).toBe(6);
    q.unsubscribe();
  });

  it('waits what Retry-After says before polling again, then resumes its pace', async () => {
    // First answer: 429 with Retry-After 10 s; then the engine answers again.
    const q = pollEverySecond('limited', (n) => (n === 1 ? tooMany(10) : 'ok'));
    await vi.advanceTimersByTimeAsync(9_500);
    expect(q.calls()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(q.calls()).toBe(2);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(q.calls()).toBe(5);
    q.unsubscribe();
  });

  it('does not slow down for other errors (a backend that is down is asked again at the same pace)', async () => {
    const down = new ApiError({ status: 502, code: 'UPSTREAM_UNAVAILABLE', message: 'cloud is down' });
    const q = pollEverySecond('down', () => down);
    await vi.advanceTimersByTimeAsync(3_500);
    expect(q.calls()).toBe(4);
    q.unsubscribe();
  });
});
