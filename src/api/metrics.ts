/**
 * Sandbox metrics (decision 0011): the history the agent samples every 5 s (charts) and the latest
 * CPU and memory of several sandboxes in one request (the list's live column).
 */
import { z } from 'zod';
import { request } from './client';

export const METRICS_POLL_MS = 5_000;
/** The engine keeps 30 minutes at 5 s; the tab keeps as many. */
export const METRICS_MAX_SAMPLES = 360;

export const MetricsSample = z.object({
  t: z.number(),
  cpu_percent: z.number(),
  memory_bytes: z.number(),
  memory_limit_bytes: z.number(),
  disk_bytes: z.number(),
  disk_total_bytes: z.number(),
  net_rx_bps: z.number().nullable(),
  net_tx_bps: z.number().nullable(),
});
export type MetricsSample = z.infer<typeof MetricsSample>;

const MetricsHistory = z.object({ interval_seconds: z.number(), samples: z.array(MetricsSample) });

export const SandboxUsage = z.object({
  id: z.string(),
  cpu_percent: z.number(),
  memory_bytes: z.number(),
  memory_limit_bytes: z.number(),
  t: z.number(),
});
export type SandboxUsage = z.infer<typeof SandboxUsage>;
const UsageList = z.object({ data: z.array(SandboxUsage) });

export const metricsKeys = {
  history: (id: string) => ['sandbox-metrics', id] as const,
  usage: (ids: readonly string[]) => ['sandbox-usage', ids] as const,
};

/** Samples after `since` (Unix seconds), merged onto `previous` and trimmed to the newest. */
export async function fetchMetricsHistory(id: string, previous: MetricsSample[] = [], signal?: AbortSignal) {
  const since = previous.at(-1)?.t ?? 0;
  const h = await request(`/v1/sandboxes/${encodeURIComponent(id)}/metrics`, {
    schema: MetricsHistory,
    query: { since },
    signal,
  });
  return [...previous, ...h.samples].slice(-METRICS_MAX_SAMPLES);
}

export async function fetchUsage(
  ids: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, SandboxUsage>> {
  if (ids.length === 0) return new Map();
  const r = await request('/v1/sandboxes/metrics', {
    schema: UsageList,
    query: { ids: ids.join(',') },
    signal,
  });
  return new Map(r.data.map((u) => [u.id, u]));
}
