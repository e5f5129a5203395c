/**
 * The one action that brings a paused or stopped sandbox back (resume or start), with its error.
 * Renders nothing for a sandbox in any other state.
 */
import { useSandboxAction } from '@/api/sandboxes';
import { Button } from '@/components/ui/button';
import { ErrorAlert } from '@/components/ui/error-alert';
import type { Sandbox } from '@contract/schemas';

export function WakeSandbox({
  sandbox,
  size,
  errorClassName,
}: {
  sandbox: Pick<Sandbox, 'id' | 'status'>;
  size?: 'sm';
  errorClassName?: string;
}) {
  const action = useSandboxAction();
  const fix = sandbox.status === 'paused' ? 'resume' : sandbox.status === 'stopped' ? 'start' : null;
  if (!fix) return null;
  const label = action.isPending
    ? fix === 'resume'
      ? 'Resuming…'
      : 'Starting…'
    : fix === 'resume'
      ? 'Resume sandbox'
      : 'Start sandbox';
  return (
    <>
      <Button
        size={size}
        disabled={action.isPending}
        onClick={() => action.mutate({ id: sandbox.id, action: fix })}
      >
        {label}
      </Button>
      {action.isError && (
        <ErrorAlert className={errorClassName} error={action.error} title={`Could not ${fix} the sandbox`} />
      )}
    </>
  );
}
