/**
 * Which running sandboxes the list shows right now. Each visible row's usage cell registers its
 * id while mounted (the table is virtualized, so off-screen rows are not mounted); the set settles
 * for a moment before it becomes the key of one React Query request for all of them.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { fetchUsage, METRICS_POLL_MS, metricsKeys } from '@/api/metrics';

const SETTLE_MS = 250;
const counts = new Map<string, number>();
const listeners = new Set<() => void>();
let snapshot: readonly string[] = [];
let timer: ReturnType<typeof setTimeout> | null = null;

function publish() {
  timer = null;
  const next = [...counts.keys()].sort();
  if (next.join() === snapshot.join()) return;
  snapshot = next;
  listeners.forEach((l) => l());
}

function schedule() {
  if (timer === null) timer = setTimeout(publish, SETTLE_MS);
}

function register(id: string): () => void {
  counts.set(id, (counts.get(id) ?? 0) + 1);
  schedule();
  return () => {
    const n = (counts.get(id) ?? 1) - 1;
    if (n <= 0) counts.delete(id);
    else counts.set(id, n);
    schedule();
  };
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};
const getSnapshot = () => snapshot;

/** The latest CPU and memory of `id` (undefined while unknown), fetched with every visible row's. */
export function useLiveUsage(id: string, running: boolean) {
  useEffect(() => (running ? register(id) : undefined), [id, running]);
  const ids = useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
  const q = useQuery({
    queryKey: metricsKeys.usage(ids),
    queryFn: ({ signal }) => fetchUsage(ids, signal),
    enabled: running && ids.length > 0,
    refetchInterval: METRICS_POLL_MS,
    staleTime: METRICS_POLL_MS - 500,
    placeholderData: (prev) => prev,
  });
  return running ? q.data?.get(id) : undefined;
}
