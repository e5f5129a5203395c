/**
 * Backends (decision 0014): `local` and the upstreams the engine serves sandboxes from, with their
 * health. An engine without upstreams may not have `GET /v1/backends` (404): that means only `local`.
 */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { isApiError, request } from './client';
import { BACKENDS_POLL_MS, BACKENDS_STALE_MS } from './intervals';
import { queryClient } from './query-client';
import { sandboxKeys } from './sandboxes';
import { templateKeys } from './templates';
import { BackendList, type Backend } from '@contract/schemas';

export type { Backend } from '@contract/schemas';

export const LOCAL_BACKEND = 'local';

/** What an engine without upstreams has: its own sandboxes. */
const LOCAL_ONLY: Backend = {
  object: 'backend',
  name: LOCAL_BACKEND,
  kind: 'local',
  url: null,
  default: true,
  status: 'ok',
  latency_ms: null,
  checked_at: null,
  message: null,
};

export const backendKeys = { all: ['backends'] as const };

export async function fetchBackends(signal?: AbortSignal): Promise<Backend[]> {
  try {
    return (await request('/v1/backends', { schema: BackendList, signal })).data;
  } catch (e) {
    if (isApiError(e) && e.status === 404) return [LOCAL_ONLY];
    throw e;
  }
}

export function backendsQueryOptions() {
  return queryOptions({
    queryKey: backendKeys.all,
    queryFn: ({ signal }) => fetchBackends(signal),
    refetchInterval: BACKENDS_POLL_MS,
    staleTime: BACKENDS_STALE_MS,
  });
}

/** The backend of a sandbox or template; items of an engine without upstreams carry none. */
export const backendOf = (item: { backend?: string }) => item.backend ?? LOCAL_BACKEND;

/** The backends a create can go to now (not `down`), the default first if it can take one. */
export function usableBackend(backends: readonly Backend[], picked?: string): Backend | undefined {
  const up = backends.filter((b) => b.status !== 'down');
  return up.find((b) => b.name === picked) ?? up.find((b) => b.default) ?? up[0];
}

export interface BackendProblem {
  name: string;
  message: string;
  /** `down` or `degraded` per the engine's probe, or `unlisted` when a list page could not list it. */
  kind: 'down' | 'degraded' | 'unlisted';
}

export interface Unavailable {
  name: string;
  message: string;
}

/**
 * What is wrong with the backends, one entry per backend: the engine's probe (`down`, `degraded`)
 * and the backends the lists on screen could not list. A backend the probe reports down is named
 * once, with the probe's message.
 */
export function backendProblems(
  backends: readonly Backend[] | undefined,
  unavailable: readonly Unavailable[],
): BackendProblem[] {
  const out = new Map<string, BackendProblem>();
  for (const b of backends ?? []) {
    if (b.status === 'ok') continue;
    out.set(b.name, {
      name: b.name,
      kind: b.status,
      message: b.message ?? (b.status === 'down' ? 'not reachable' : 'slow or failing'),
    });
  }
  for (const u of unavailable) {
    if (!out.has(u.name)) out.set(u.name, { name: u.name, kind: 'unlisted', message: u.message });
  }
  return [...out.values()];
}

interface WithUnavailable {
  unavailable_backends?: Unavailable[];
}

/** `unavailable_backends` of the sandbox and template lists on screen (queries with observers). */
function listedUnavailable(): Unavailable[] {
  const cache = queryClient.getQueryCache();
  const out: Unavailable[] = [];
  for (const key of [sandboxKeys.lists(), templateKeys.lists()]) {
    for (const q of cache.findAll({ queryKey: key, type: 'active' })) {
      out.push(...((q.state.data as WithUnavailable | undefined)?.unavailable_backends ?? []));
    }
  }
  return out;
}

// A string snapshot keeps useSyncExternalStore stable between cache events that change nothing.
const unavailableSnapshot = () => JSON.stringify(listedUnavailable());
const subscribeCache = (onChange: () => void) => queryClient.getQueryCache().subscribe(onChange);

/** What the banner shows: the probe's view plus what the lists on screen could not list. */
export function useBackendProblems(): BackendProblem[] {
  const backends = useQuery(backendsQueryOptions());
  const unavailable = useSyncExternalStore(subscribeCache, unavailableSnapshot);
  return backendProblems(backends.data, JSON.parse(unavailable) as Unavailable[]);
}

/** Whether more than one backend exists (then lists show a Backend column and filter). */
export function useHasUpstreams(): boolean {
  const backends = useQuery(backendsQueryOptions());
  return (backends.data?.length ?? 0) > 1;
}
