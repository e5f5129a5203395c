import { useQuery } from '@tanstack/react-query';
import { Link, Outlet, getRouteApi, useNavigate } from '@tanstack/react-router';
import { ArrowLeft, Pause, Play, ShieldAlert, Square, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { isApiError } from '@/api/client';
import { healthQueryOptions } from '@/api/health';
import { actionApplies, sandboxQueryOptions } from '@/api/sandboxes';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/dialog';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Skeleton } from '@/components/ui/skeleton';
import { cn } from '@/lib/cn';
import { useActionWithToast } from '../actions';
import { StatusBadge } from '../status-badge';

const route = getRouteApi('/sandboxes/$id');

const tab =
  'border-b-2 border-transparent px-3 py-2 text-sm text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/60';
const activeTab = 'border-primary font-medium text-foreground';

export function SandboxLayout() {
  const { id } = route.useParams();
  const navigate = useNavigate();
  const sandbox = useQuery(sandboxQueryOptions(id));
  const health = useQuery(healthQueryOptions());
  const { run, pending } = useActionWithToast();
  const [confirmDelete, setConfirmDelete] = useState(false);

  if (sandbox.isPending) {
    return (
      <div className="space-y-3" aria-busy="true" aria-label="Loading sandbox">
        <Skeleton className="h-8 w-80" />
        <Skeleton className="h-48 w-full" />
      </div>
    );
  }
  if (sandbox.isError) {
    const gone = isApiError(sandbox.error) && sandbox.error.status === 404;
    const deleted = gone && isApiError(sandbox.error) && sandbox.error.details.status === 'deleted';
    return (
      <div className="mx-auto max-w-lg space-y-4 py-10 text-center">
        <h1 className="text-xl font-semibold">
          {deleted ? 'This sandbox was deleted' : gone ? 'Sandbox not found' : 'Could not load the sandbox'}
        </h1>
        <p className="font-mono text-sm break-all text-muted-foreground">{id}</p>
        {gone ? (
          <p className="text-sm text-muted-foreground">
            {deleted
              ? 'It no longer runs and its files are gone.'
              : 'No sandbox has this id on this engine. It may have expired or been deleted.'}
          </p>
        ) : (
          <ErrorAlert error={sandbox.error} className="text-left" />
        )}
        <Button asChild variant="outline">
          <Link to="/sandboxes">
            <ArrowLeft /> All sandboxes
          </Link>
        </Button>
      </div>
    );
  }

  const s = sandbox.data;
  const isolation = s.isolation ?? health.data?.isolation;
  const can = (a: Parameters<typeof actionApplies>[0]) => actionApplies(a, s.status);

  return (
    <div className="space-y-4">
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
            <Button variant="outline" disabled={pending} onClick={() => run(s.id, 'stop')}>
              <Square /> Stop
            </Button>
          )}
          {can('delete') && (
            <Button variant="destructive" disabled={pending} onClick={() => setConfirmDelete(true)}>
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
      <nav aria-label="Sandbox sections" className="flex gap-1 border-b">
        <Link
          to="/sandboxes/$id"
          params={{ id }}
          activeOptions={{ exact: true }}
          className={tab}
          activeProps={{ className: cn(tab, activeTab), 'aria-current': 'page' }}
        >
          Overview
        </Link>
        <Link
          to="/sandboxes/$id/run"
          params={{ id }}
          className={tab}
          activeProps={{ className: cn(tab, activeTab), 'aria-current': 'page' }}
        >
          Run
        </Link>
      </nav>
      <Outlet />
      <ConfirmDialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title="Delete sandbox?"
        description={`${s.id} and everything in it will be removed. This cannot be undone.`}
        confirmLabel="Delete"
        destructive
        onConfirm={() => run(s.id, 'delete', () => void navigate({ to: '/sandboxes' }))}
      />
    </div>
  );
}
