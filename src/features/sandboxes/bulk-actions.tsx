import { CheckCircle2, XCircle } from 'lucide-react';
import { useState } from 'react';
import { toast } from 'sonner';
import { isApiError } from '@/api/client';
import { useBulkSandboxAction, type BulkResult, type SandboxAction } from '@/api/sandboxes';
import type { Sandbox } from '@contract/schemas';
import { Button } from '@/components/ui/button';
import {
  ConfirmDialog,
  Dialog,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
} from '@/components/ui/dialog';
import { ACTION_LABELS, ACTION_PAST, planBulk } from './actions';

const BULK: SandboxAction[] = ['start', 'stop', 'pause', 'resume', 'delete'];

export function BulkActionBar({
  rows,
  selected,
  onClear,
}: {
  rows: Sandbox[];
  selected: ReadonlySet<string>;
  onClear: () => void;
}) {
  const bulk = useBulkSandboxAction();
  const [pending, setPending] = useState<SandboxAction | null>(null);
  const [results, setResults] = useState<{ action: SandboxAction; results: BulkResult[] } | null>(null);
  const plan = pending ? planBulk(rows, selected, pending) : null;

  const run = () => {
    if (!pending || !plan) return;
    const action = pending;
    bulk.mutate(
      { ids: plan.apply, action },
      {
        onSuccess: (res) => {
          const failed = res.filter((r) => !r.ok);
          if (failed.length === 0) {
            toast.success(`${res.length} sandbox${res.length === 1 ? '' : 'es'} ${ACTION_PAST[action]}`);
            onClear();
          } else {
            setResults({ action, results: res });
          }
        },
      },
    );
  };

  return (
    <div
      role="region"
      aria-label="Bulk actions"
      className="flex flex-wrap items-center gap-2 rounded-lg border bg-muted/50 px-3 py-2 text-sm"
    >
      <span className="font-medium" aria-live="polite">
        {selected.size} selected
      </span>
      <div className="flex flex-wrap gap-1">
        {BULK.map((a) => {
          const n = planBulk(rows, selected, a).apply.length;
          return (
            <Button
              key={a}
              size="sm"
              variant={a === 'delete' ? 'destructive' : 'outline'}
              disabled={n === 0 || bulk.isPending}
              onClick={() => setPending(a)}
            >
              {ACTION_LABELS[a]} ({n})
            </Button>
          );
        })}
      </div>
      <Button size="sm" variant="ghost" className="ml-auto" onClick={onClear}>
        Clear selection
      </Button>
      {pending && plan && (
        <ConfirmDialog
          open
          onOpenChange={(o) => !o && setPending(null)}
          title={`${ACTION_LABELS[pending]} ${plan.apply.length} sandbox${plan.apply.length === 1 ? '' : 'es'}?`}
          description={
            plan.skip.length
              ? `${plan.apply.length} of ${selected.size} selected can be ${ACTION_PAST[pending]}; ${plan.skip.length} will be skipped (${plan.skip.map((s) => `${s.id}: ${s.status}`).join(', ')}).`
              : `All ${plan.apply.length} selected sandboxes will be ${ACTION_PAST[pending]}.${pending === 'delete' ? ' This cannot be undone.' : ''}`
          }
          confirmLabel={`${ACTION_LABELS[pending]} ${plan.apply.length}`}
          destructive={pending === 'delete'}
          onConfirm={run}
        />
      )}
      <Dialog open={results !== null} onOpenChange={(o) => !o && setResults(null)}>
        {results && (
          <DialogContent>
            <DialogHeader>
              <DialogTitle>Some actions failed</DialogTitle>
              <DialogDescription>
                {results.results.filter((r) => r.ok).length} of {results.results.length} sandboxes{' '}
                {ACTION_PAST[results.action]}.
              </DialogDescription>
            </DialogHeader>
            <ul className="space-y-2 text-sm" aria-label="Results per sandbox">
              {results.results.map((r) => (
                <li key={r.id} className="flex items-start gap-2">
                  {r.ok ? (
                    <CheckCircle2 className="mt-0.5 size-4 text-success" aria-label="succeeded" />
                  ) : (
                    <XCircle className="mt-0.5 size-4 text-destructive" aria-label="failed" />
                  )}
                  <div className="min-w-0">
                    <p className="font-mono text-xs">{r.id}</p>
                    {!r.ok && (
                      <p className="text-xs text-muted-foreground">
                        {r.error instanceof Error ? r.error.message : String(r.error)}
                        {isApiError(r.error) &&
                          ` (${r.error.code}${r.error.requestId ? `, ${r.error.requestId}` : ''})`}
                      </p>
                    )}
                  </div>
                </li>
              ))}
            </ul>
          </DialogContent>
        )}
      </Dialog>
    </div>
  );
}
