/** The engine's health (`GET /health`, no auth): version, isolation, cgroups, frames origin. */
import { queryOptions } from '@tanstack/react-query';
import { request } from './client';
import { HEALTH_POLL_MS, HEALTH_STALE_MS } from './intervals';
import { EngineHealth } from '@contract/schemas';

export const healthKeys = { all: ['health'] as const };

export function healthQueryOptions() {
  return queryOptions({
    queryKey: healthKeys.all,
    queryFn: ({ signal }) => request('/health', { schema: EngineHealth, signal }),
    refetchInterval: HEALTH_POLL_MS,
    staleTime: HEALTH_STALE_MS,
  });
}
