/** The sandbox page's heading: id, status, template, lifecycle actions and warnings. */
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { ArrowLeft, Pause, Play, ShieldAlert, Square, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { healthQueryOptions } from '@/api/health';
import { actionApplies } from '@/api/sandboxes';
import { Button } from '@/components/ui/button';
import { ErrorAlert } from '@/components/ui/error-alert';
import type { Sandbox } from '@contract/schemas';
import { useActionWithToast, type ConfirmedAction } from '../actions';
import { ConfirmSandboxAction } from '../confirm-action';
import { StatusBadge } from '../status-badge';

export function SandboxHeader({ sandbox: s }: { sandbox: Sandbox }) {
  const navigate = useNavigate();
  const health = useQuery(healthQueryOptions());
  const { run, pending } = useActionWithToast();
  const [confirm, setConfirm] = useState<ConfirmedAction | null>(null);
  const isolation = s.isolation ?? health.data?.isolation;
  const can = (a: Parameters<typeof actionApplies>[0]) => actionApplies(a, s.status);

  return (
    <>
      <Link
        to="/sandboxes"
        className="inline-flex items-center gap-1 text-sm text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/60"
      >
        <ArrowLeft className="size-4" /> Sandboxes
      </Link>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 space-y-1">
          <h1 className="font-mono text-xl font-semibold break-all">{s.id}</h1>
          <div className="flex items-center gap-2 text-sm text-muted-foreground">
            <StatusBadge status={s.status} />
            <span>{s.template_name}</span>
          </div>
        </div>
        <div className="flex flex-wrap gap-2">
          {can('start') && (
            <Button variant="outline" disabled={pending} onClick={() => run(s.id, 'start')}>
              <Play /> Start
            </Button>
          )}
          {can('resume') && (
            <Button variant="outline" disabled={pending} onClick={() => run(s.id, 'resume')}>
              <Play /> Resume
            </Button>
          )}
          {can('pause') && (
            <Button variant="outline" disabled={pending} onClick={() => run(s.id, 'pause')}>
              <Pause /> Pause
            </Button>
          )}
          {can('stop') && (
            <Button variant="outline" disabled={pending} onClick={() => setConfirm('stop')}>
              <Square /> Stop sandbox…
            </Button>
          )}
          {can('delete') && (
            <Button variant="destructive" disabled={pending} onClick={() => setConfirm('delete')}>
              <Trash2 /> Delete
            </Button>
          )}
        </div>
      </div>
      {isolation === 'none' && (
        <div
          role="alert"
          className="flex items-start gap-3 rounded-lg border border-warning/50 bg-warning/10 p-3 text-sm"
        >
          <ShieldAlert className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden />
          <p>
            <strong>Not isolated.</strong> The engine runs with <code>--isolation none</code>: code in this
            sandbox runs as a plain process on the host and can read and change anything the engine can.
          </p>
        </div>
      )}
      {s.status === 'error' && s.error_message && (
        <ErrorAlert error={new Error(s.error_message)} title="Sandbox error" />
      )}
      <ConfirmSandboxAction
        sandboxId={s.id}
        action={confirm}
        onOpenChange={(o) => !o && setConfirm(null)}
        onDone={confirm === 'delete' ? () => void navigate({ to: '/sandboxes' }) : undefined}
      />
    </>
  );
}
