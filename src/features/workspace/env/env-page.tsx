/**
 * The Environment tab: the sandbox's global variables (`/env` on its agent), including those given
 * at create. Values stay hidden until revealed; every later run, command and new terminal sees them.
 */
import { useQuery } from '@tanstack/react-query';
import { Eye, EyeOff, Pencil, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { envQueryOptions, useDeleteEnvVar, useReplaceEnvVars, useSetEnvVars } from '@/api/env';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/dialog';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Skeleton } from '@/components/ui/skeleton';
import { SandboxOffline } from '../shared/sandbox-offline';
import { useWorkspaceSandbox } from '../shared/use-workspace-sandbox';
import { DotenvImport, VariableForm } from './env-form';

const MASK = '••••••••';

export function EnvPage({ sandboxId }: { sandboxId: string }) {
  const { sandbox, target, running } = useWorkspaceSandbox(sandboxId);
  const env = useQuery({ ...envQueryOptions(target), enabled: running });
  const set = useSetEnvVars(target);
  const replace = useReplaceEnvVars(target);
  const del = useDeleteEnvVar(target);
  const [revealed, setRevealed] = useState<Set<string>>(new Set());
  const [editing, setEditing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [formKey, setFormKey] = useState(0);

  if (sandbox && !running) return <SandboxOffline sandbox={sandbox} what="The environment" />;
  const busy = set.isPending || replace.isPending || del.isPending;
  const error = set.error ?? replace.error ?? del.error;
  const vars = Object.entries(env.data ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const toggle = (k: string) =>
    setRevealed((s) => {
      const next = new Set(s);
      if (!next.delete(k)) next.add(k);
      return next;
    });

  const saveEdit = (oldKey: string, key: string, value: string) => {
    if (key === oldKey) {
      set.mutate({ [key]: value }, { onSuccess: () => setEditing(null) });
      return;
    }
    const next = { ...env.data };
    delete next[oldKey];
    next[key] = value;
    replace.mutate(next, { onSuccess: () => setEditing(null) });
  };

  return (
    <section aria-labelledby="env-title" className="space-y-4">
      <div className="space-y-1">
        <h2 id="env-title" className="text-base font-semibold">
          Environment variables
        </h2>
        <p className="text-sm text-muted-foreground">
          Seen by every execution, command and new terminal from now on (a running process keeps the values it
          started with).
        </p>
      </div>
      {error && <ErrorAlert error={error} title="Could not change the variables" />}
      <div className="space-y-3 rounded-lg border p-4">
        <h3 className="text-sm font-medium">Add a variable</h3>
        <VariableForm
          key={formKey}
          idPrefix="env-new"
          submitLabel="Add"
          busy={busy}
          onSubmit={(key, value) =>
            set.mutate({ [key]: value }, { onSuccess: () => setFormKey((k) => k + 1) })
          }
        />
        <DotenvImport busy={busy} onImport={(v) => set.mutate(v)} />
      </div>
      {env.isError ? (
        <ErrorAlert error={env.error} title="Could not read the variables" />
      ) : !env.data ? (
        <Skeleton className="h-24" aria-label="Loading variables" />
      ) : vars.length === 0 ? (
        <p className="rounded-lg border p-6 text-center text-sm text-muted-foreground">No variables set.</p>
      ) : (
        <ul aria-label="Variables" className="divide-y rounded-lg border">
          {vars.map(([k, v]) =>
            editing === k ? (
              <li key={k} className="p-3">
                <VariableForm
                  idPrefix={`env-edit-${k}`}
                  initial={{ key: k, value: v }}
                  submitLabel="Save"
                  busy={busy}
                  onSubmit={(key, value) => saveEdit(k, key, value)}
                  onCancel={() => setEditing(null)}
                />
              </li>
            ) : (
              <li key={k} className="flex flex-wrap items-center gap-2 px-3 py-2" data-testid="env-var">
                <span className="min-w-0 font-mono text-sm font-medium break-all">{k}</span>
                <span
                  className="min-w-0 flex-1 font-mono text-sm break-all text-muted-foreground"
                  aria-label={revealed.has(k) ? `Value of ${k}` : `Value of ${k} (hidden)`}
                >
                  {revealed.has(k) ? v || '(empty)' : MASK}
                </span>
                <span className="flex gap-0.5">
                  <Button
                    variant="ghost"
                    size="icon-sm"
                    aria-label={revealed.has(k) ? `Hide ${k}` : `Reveal ${k}`}
                    aria-pressed={revealed.has(k)}
                    onClick={() => toggle(k)}
                  >
                    {revealed.has(k) ? <EyeOff /> : <Eye />}
                  </Button>
                  <Button
                    variant="ghost"
                    size="icon-sm"
                    aria-label={`Edit ${k}`}
                    onClick={() => setEditing(k)}
                  >
                    <Pencil />
                  </Button>
                  <Button
                    variant="ghost"
                    size="icon-sm"
                    aria-label={`Delete ${k}`}
                    onClick={() => setDeleting(k)}
                  >
                    <Trash2 />
                  </Button>
                </span>
              </li>
            ),
          )}
        </ul>
      )}
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={`Delete ${deleting ?? ''}?`}
        description="Later executions, commands and new terminals will no longer see it."
        confirmLabel="Delete"
        destructive
        onConfirm={() => deleting && del.mutate(deleting)}
      />
    </section>
  );
}
