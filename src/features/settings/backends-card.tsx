import { useQuery } from '@tanstack/react-query';
import { backendsQueryOptions, type Backend } from '@/api/backends';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Skeleton } from '@/components/ui/skeleton';
import { formatExact, formatRelative } from '@/lib/format';
import { useNow } from '@/lib/use-now';

const th = 'px-3 py-2 text-left text-xs font-medium whitespace-nowrap text-muted-foreground';
const td = 'px-3 py-2 align-top';

const STATUS_VARIANT = { ok: 'success', degraded: 'warning', down: 'destructive' } as const;

/**
 * Where sandboxes can live (decision 0014): this machine (`local`) and the HopX-compatible clouds
 * the engine fronts, with the engine's own health probe of each. Keys never reach the browser.
 */
export function BackendsCard() {
  const backends = useQuery(backendsQueryOptions());
  const now = useNow();
  return (
    <Card role="region" aria-labelledby="backends-title">
      <CardHeader>
        <CardTitle id="backends-title">Backends</CardTitle>
        <CardDescription>
          Where sandboxes run: this machine and the upstream clouds the engine is in front of. The engine
          checks each one every few seconds; it holds their keys.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {backends.isError && <ErrorAlert error={backends.error} title="Could not load the backends" />}
        {backends.isPending && <Skeleton className="h-20" />}
        {backends.data && (
          <div className="relative overflow-x-auto rounded-lg border">
            <table className="w-full min-w-[46rem] text-sm" aria-label="Backends">
              <thead className="bg-muted">
                <tr>
                  <th className={th}>Name</th>
                  <th className={th}>Kind</th>
                  <th className={th}>URL</th>
                  <th className={th}>Status</th>
                  <th className={th}>Latency</th>
                  <th className={th}>Last check</th>
                  <th className={th}>Message</th>
                </tr>
              </thead>
              <tbody>
                {backends.data.map((b) => (
                  <BackendRow key={b.name} b={b} now={now} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </CardContent>
    </Card>
  );
}

function BackendRow({ b, now }: { b: Backend; now: number }) {
  return (
    <tr className="border-t" data-backend={b.name}>
      <td className={`${td} font-medium`}>
        <span className="inline-flex flex-wrap items-center gap-1">
          {b.name}
          {b.default && <Badge variant="secondary">default</Badge>}
        </span>
      </td>
      <td className={`${td} whitespace-nowrap`}>
        {b.kind === 'local' ? 'local (this machine)' : 'upstream'}
      </td>
      <td className={`${td} font-mono text-xs whitespace-nowrap`}>{b.url ?? '—'}</td>
      <td className={td}>
        <Badge variant={STATUS_VARIANT[b.status]}>{b.status}</Badge>
      </td>
      <td className={`${td} whitespace-nowrap tabular-nums`}>
        {b.latency_ms === null ? '—' : `${Math.round(b.latency_ms)} ms`}
      </td>
      <td className={`${td} whitespace-nowrap`}>
        <time dateTime={b.checked_at ?? undefined} title={formatExact(b.checked_at)}>
          {formatRelative(b.checked_at, now)}
        </time>
      </td>
      <td className={`${td} min-w-[12rem] break-words text-muted-foreground`}>{b.message ?? '—'}</td>
    </tr>
  );
}
