import { toast } from 'sonner';
import { actionApplies, useSandboxAction, type SandboxAction } from '@/api/sandboxes';
import type { Sandbox } from '@contract/schemas';
import { describeError } from '@/lib/errors';

export const ACTION_LABELS: Record<SandboxAction, string> = {
  start: 'Start',
  stop: 'Stop',
  pause: 'Pause',
  resume: 'Resume',
  delete: 'Delete',
};

export const ACTION_PAST: Record<SandboxAction, string> = {
  start: 'started',
  stop: 'stopped',
  pause: 'paused',
  resume: 'resumed',
  delete: 'deleted',
};

/** Actions that lose something (everything, or the running session) and so ask first. */
export type ConfirmedAction = Extract<SandboxAction, 'delete' | 'stop'>;

/** Whether an action asks first (the others are reversible and run at once). */
export function needsConfirmation(action: SandboxAction): action is ConfirmedAction {
  return action === 'delete' || action === 'stop';
}

/** Runs one action with a toast for the result (the list shows the new status at once). */
export function useActionWithToast() {
  const mutation = useSandboxAction();
  const run = (id: string, action: SandboxAction, onDone?: () => void) =>
    mutation.mutate(
      { id, action },
      {
        onSuccess: () => {
          toast.success(`Sandbox ${id} ${ACTION_PAST[action]}`);
          onDone?.();
        },
        onError: (e) => toast.error(`Could not ${action} ${id}: ${describeError(e)}`),
      },
    );
  return { run, pending: mutation.isPending };
}

/** Which selected sandboxes an action applies to, and which it would skip. */
export function planBulk(rows: Sandbox[], selected: ReadonlySet<string>, action: SandboxAction) {
  const chosen = rows.filter((r) => selected.has(r.id));
  return {
    apply: chosen.filter((r) => actionApplies(action, r.status)).map((r) => r.id),
    skip: chosen.filter((r) => !actionApplies(action, r.status)),
  };
}
