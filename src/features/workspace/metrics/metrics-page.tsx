/**
 * The Metrics tab: CPU, memory, disk and network of the sandbox over the last 30 minutes (the
 * agent samples every 5 s from boot, so the charts start full), polled every 5 s. Each chart states
 * its latest value in text, for screen readers and at a glance.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useMemo } from 'react';
import { fetchMetricsHistory, METRICS_POLL_MS, metricsKeys, type MetricsSample } from '@/api/metrics';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Skeleton } from '@/components/ui/skeleton';
import { formatBytes } from '@/lib/format-bytes';
import { SandboxOffline } from '../shared/sandbox-offline';
import { useWorkspaceSandbox } from '../shared/use-workspace-sandbox';
import type { ChartSeries } from './uplot-chart';

const UPlotChart = lazy(() => import('./uplot-chart'));

const percent = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)}%`;
const bytes = (v: number) => formatBytes(Math.round(v));
const rate = (v: number) => `${formatBytes(Math.round(v))}/s`;

interface ChartSpec {
  title: string;
  summary: string;
  series: ChartSeries[];
  format: (v: number) => string;
  max?: number;
}

function charts(samples: MetricsSample[]): ChartSpec[] {
  const last = samples.at(-1);
  if (!last) return [];
  const col = (f: (s: MetricsSample) => number | null) => samples.map(f);
  const out: ChartSpec[] = [
    {
      title: 'CPU',
      summary: `${percent(last.cpu_percent)} of the sandbox's CPU`,
      series: [{ label: 'CPU', color: '#3b82f6', values: col((s) => s.cpu_percent) }],
      format: percent,
      max: 100,
    },
    {
      title: 'Memory',
      summary: `${bytes(last.memory_bytes)} of ${bytes(last.memory_limit_bytes)}`,
      series: [{ label: 'Memory', color: '#8b5cf6', values: col((s) => s.memory_bytes) }],
      format: bytes,
      max: last.memory_limit_bytes,
    },
    {
      title: 'Disk',
      summary: `${bytes(last.disk_bytes)} of ${bytes(last.disk_total_bytes)} used in /workspace`,
      series: [{ label: 'Disk', color: '#f59e0b', values: col((s) => s.disk_bytes) }],
      format: bytes,
      max: last.disk_total_bytes || undefined,
    },
  ];
  if (samples.some((s) => s.net_rx_bps !== null)) {
    out.push({
      title: 'Network',
      summary: `in ${rate(last.net_rx_bps ?? 0)}, out ${rate(last.net_tx_bps ?? 0)}`,
      series: [
        { label: 'In', color: '#10b981', values: col((s) => s.net_rx_bps) },
        { label: 'Out', color: '#ef4444', values: col((s) => s.net_tx_bps) },
      ],
      format: rate,
    });
  }
  return out;
}

export function MetricsPage({ sandboxId }: { sandboxId: string }) {
  const { sandbox, running } = useWorkspaceSandbox(sandboxId);
  const qc = useQueryClient();
  const key = metricsKeys.history(sandboxId);
  const history = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => fetchMetricsHistory(sandboxId, qc.getQueryData<MetricsSample[]>(key), signal),
    enabled: running,
    refetchInterval: METRICS_POLL_MS,
    staleTime: METRICS_POLL_MS - 500,
  });
  const samples = useMemo(() => history.data ?? [], [history.data]);
  const times = useMemo(() => samples.map((s) => s.t), [samples]);
  const specs = useMemo(() => charts(samples), [samples]);

  if (sandbox && !running) return <SandboxOffline sandbox={sandbox} what="Metrics" />;
  if (history.isError && samples.length === 0)
    return <ErrorAlert error={history.error} title="Could not load the metrics" />;
  if (specs.length === 0) return <Skeleton className="h-64 w-full" aria-label="Loading metrics" />;

  return (
    <section aria-labelledby="metrics-heading" className="space-y-3">
      <h2 id="metrics-heading" className="sr-only">
        Metrics
      </h2>
      <p className="text-xs text-muted-foreground">
        Sampled every 5 seconds inside the sandbox; the last 30 minutes are kept.
      </p>
      <div className="grid gap-3 lg:grid-cols-2">
        {specs.map((c) => (
          <figure
            key={c.title}
            className="rounded-lg border p-3"
            data-testid={`metric-${c.title.toLowerCase()}`}
          >
            <figcaption className="mb-2 flex flex-wrap items-baseline justify-between gap-2 text-sm">
              <span className="font-medium">{c.title}</span>
              <span className="text-muted-foreground tabular-nums" data-testid="metric-value">
                {c.summary}
              </span>
            </figcaption>
            <Suspense fallback={<Skeleton className="h-40 w-full" />}>
              <UPlotChart times={times} series={c.series} format={c.format} max={c.max} />
            </Suspense>
          </figure>
        ))}
      </div>
    </section>
  );
}
