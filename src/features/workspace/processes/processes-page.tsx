/**
 * The Processes tab: every background execution and command of the sandbox with its live status
 * (polled: fast while one runs), its output tail, and kill with confirmation.
 */
import { useQuery } from '@tanstack/react-query';
import { Square } from 'lucide-react';
import { useState } from 'react';
import type { AgentTarget } from '@/api/agent';
import { isActive, processesQueryOptions, useKillProcess, type ProcessInfo } from '@/api/processes';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/dialog';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Skeleton } from '@/components/ui/skeleton';
import { SandboxOffline } from '../shared/sandbox-offline';
import { useWorkspaceSandbox } from '../shared/use-workspace-sandbox';
import { StartForm } from './start-form';

const TAIL_LINES = 40;

const VARIANT = {
  running: 'default',
  queued: 'default',
  completed: 'success',
  failed: 'destructive',
  timeout: 'warning',
  killed: 'muted',
} as const;

function tail(text: string | null | undefined): string {
  if (!text) return '';
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.slice(-TAIL_LINES).join('\n');
}

function label(p: ProcessInfo) {
  return p.name || p.command?.split('\n')[0] || p.process_id;
}

function ProcessItem({ p, onKill }: { p: ProcessInfo; onKill: (p: ProcessInfo) => void }) {
  const started = p.started_at ?? p.start_time;
  const out = tail(p.stdout);
  const err = tail(p.stderr);
  return (
    <li className="space-y-2 rounded-lg border p-3" data-testid="process" data-status={p.status}>
      <div className="flex flex-wrap items-center gap-2">
        <Badge variant={VARIANT[p.status as keyof typeof VARIANT] ?? 'outline'}>{p.status}</Badge>
        <span className="min-w-0 flex-1 truncate font-mono text-sm" title={p.command ?? undefined}>
          {label(p)}
        </span>
        {isActive(p) && (
          <Button size="sm" variant="outline" onClick={() => onKill(p)} aria-label={`Kill ${label(p)}`}>
            <Square /> Kill
          </Button>
        )}
      </div>
      <dl className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted-foreground">
        <div>
          <dt className="inline">Language: </dt>
          <dd className="inline">{p.language ?? '—'}</dd>
        </div>
        <div>
          <dt className="inline">Started: </dt>
          <dd className="inline">{started ? new Date(started).toLocaleTimeString() : '—'}</dd>
        </div>
        {p.duration != null && (
          <div>
            <dt className="inline">Took: </dt>
            <dd className="inline">{p.duration.toFixed(2)} s</dd>
          </div>
        )}
        {p.exit_code != null && (
          <div>
            <dt className="inline">Exit code: </dt>
            <dd className="inline">{p.exit_code}</dd>
          </div>
        )}
        <div>
          <dt className="inline">Id: </dt>
          <dd className="inline font-mono">{p.process_id}</dd>
        </div>
      </dl>
      {(out || err) && (
        <details>
          <summary className="cursor-pointer text-xs font-medium">Output (last {TAIL_LINES} lines)</summary>
          <pre className="mt-2 max-h-64 overflow-auto rounded bg-muted p-2 font-mono text-xs whitespace-pre-wrap">
            {out}
            {err && (
              <span className="text-destructive">
                {out ? '\n' : ''}
                {err}
              </span>
            )}
          </pre>
        </details>
      )}
    </li>
  );
}

function ProcessList({ target }: { target: AgentTarget }) {
  const list = useQuery(processesQueryOptions(target));
  const kill = useKillProcess(target);
  const [killing, setKilling] = useState<ProcessInfo | null>(null);

  if (list.isError) return <ErrorAlert error={list.error} title="Could not list the processes" />;
  if (!list.data) return <Skeleton className="h-24" aria-label="Loading processes" />;
  return (
    <>
      {kill.isError && <ErrorAlert error={kill.error} title="Could not kill the process" />}
      {list.data.length === 0 ? (
        <p className="rounded-lg border p-6 text-center text-sm text-muted-foreground">
          No background executions or commands yet.
        </p>
      ) : (
        <ul aria-label="Background processes" className="space-y-2">
          {list.data.map((p) => (
            <ProcessItem key={p.process_id} p={p} onKill={setKilling} />
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={killing !== null}
        onOpenChange={(o) => !o && setKilling(null)}
        title="Kill this process?"
        description={killing ? `${label(killing)} (${killing.process_id}) will be stopped at once.` : ''}
        confirmLabel="Kill"
        destructive
        onConfirm={() => killing && kill.mutate(killing.process_id)}
      />
    </>
  );
}

export function ProcessesPage({ sandboxId }: { sandboxId: string }) {
  const { sandbox, target, running } = useWorkspaceSandbox(sandboxId);
  if (sandbox && !running) return <SandboxOffline sandbox={sandbox} what="The process list" />;
  return (
    <section aria-label="Processes" className="space-y-4">
      <StartForm target={target} disabled={!running} />
      <ProcessList target={target} />
    </section>
  );
}
