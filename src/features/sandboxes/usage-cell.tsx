/**
 * The sandbox list's live "CPU · memory" cell: filled for running rows in view on this machine, a
 * dash otherwise (the engine measures its own sandboxes; an upstream's are not in its batch).
 */
import type { Sandbox } from '@contract/schemas';
import { formatBytes } from '@/lib/format-bytes';
import { useLiveUsage } from './live-usage';

export function UsageCell({ sandbox }: { sandbox: Pick<Sandbox, 'id' | 'status' | 'backend'> }) {
  const upstream = sandbox.backend !== undefined && sandbox.backend !== 'local';
  const measured = sandbox.status === 'running' && !upstream;
  const u = useLiveUsage(sandbox.id, measured);
  if (!measured) {
    return (
      <span
        className="text-muted-foreground"
        title={
          upstream && sandbox.status === 'running'
            ? 'Live usage is measured for this machine’s sandboxes only'
            : undefined
        }
      >
        —
      </span>
    );
  }
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
