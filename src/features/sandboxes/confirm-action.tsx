/**
 * The one confirmation for sandbox actions that lose something: delete (everything) and stop (the
 * running processes and the Python session's variables; files are kept). Used by the row menu, the
 * command palette and the sandbox page's header.
 */
import { ConfirmDialog } from '@/components/ui/dialog';
import { useActionWithToast, type ConfirmedAction } from './actions';

const TEXT: Record<ConfirmedAction, { title: string; body: (id: string) => string; label: string }> = {
  delete: {
    title: 'Delete sandbox?',
    body: (id) => `${id} and everything in it will be removed. This cannot be undone.`,
    label: 'Delete sandbox',
  },
  stop: {
    title: 'Stop sandbox?',
    body: (id) =>
      `${id} stops: its running programs end and the Python session loses its variables and imports. Files are kept, and Start boots it again.`,
    label: 'Stop sandbox',
  },
};

export function ConfirmSandboxAction({
  sandboxId,
  action,
  onOpenChange,
  onDone,
}: {
  sandboxId: string;
  /** The action to confirm; null keeps the dialog closed. */
  action: ConfirmedAction | null;
  onOpenChange: (open: boolean) => void;
  /** After the engine accepted the action (e.g. leave the page of a deleted sandbox). */
  onDone?: () => void;
}) {
  const { run } = useActionWithToast();
  const text = TEXT[action ?? 'delete'];
  return (
    <ConfirmDialog
      open={action !== null}
      onOpenChange={onOpenChange}
      title={text.title}
      description={text.body(sandboxId)}
      confirmLabel={text.label}
      destructive
      onConfirm={() => action && run(sandboxId, action, onDone)}
    />
  );
}
