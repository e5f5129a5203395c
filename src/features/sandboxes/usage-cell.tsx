/** The sandbox list's live "CPU · memory" cell: filled for running rows in view, a dash otherwise. */
import type { Sandbox } from '@contract/schemas';
import { formatBytes } from '@/lib/format-bytes';
import { useLiveUsage } from './live-usage';

export function UsageCell({ sandbox }: { sandbox: Pick<Sandbox, 'id' | 'status'> }) {
  const running = sandbox.status === 'running';
  const u = useLiveUsage(sandbox.id, running);
  if (!running) return <span className="text-muted-foreground">—</span>;
  if (!u) return <span className="text-muted-foreground">…</span>;
  const cpu = `${u.cpu_percent.toFixed(u.cpu_percent < 10 ? 1 : 0)}%`;
  const mem = formatBytes(u.memory_bytes);
  return (
    <span
      className="tabular-nums"
      title={`CPU ${cpu}, memory ${mem} of ${formatBytes(u.memory_limit_bytes)}`}
      data-testid="live-usage"
    >
      {cpu} · {mem}
    </span>
  );
}
