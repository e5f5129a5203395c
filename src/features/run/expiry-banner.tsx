/**
 * The sandbox's deadline, seen from the run pane: a quiet countdown, and a warning with a one-click
 * extension when little time is left (the sandbox, its files and the Python session go at zero).
 */
import { toast } from 'sonner';
import { useSetSandboxTimeout } from '@/api/sandboxes';
import type { Sandbox } from '@contract/schemas';
import { Button } from '@/components/ui/button';
import { describeError } from '@/lib/errors';
import { formatCountdown, secondsLeft } from '@/lib/format';
import { useNow } from '@/lib/use-now';

/** Warn this long before the deadline. */
export const EXPIRY_WARNING_SECONDS = 10 * 60;
const EXTEND_SECONDS = 3600;

export function ExpiryCountdown({ sandbox }: { sandbox: Sandbox }) {
  const now = useNow();
  if (!sandbox.expires_at || sandbox.status === 'deleted') return null;
  return (
    <span className="text-xs text-muted-foreground tabular-nums" title={`Deleted at ${sandbox.expires_at}`}>
      Deleted in {formatCountdown(sandbox.expires_at, now)}
    </span>
  );
}

export function ExpiryBanner({ sandbox }: { sandbox: Sandbox }) {
  const now = useNow();
  const extend = useSetSandboxTimeout(sandbox.id);
  const left = secondsLeft(sandbox.expires_at, now);
  if (left === null || left > EXPIRY_WARNING_SECONDS || sandbox.status === 'deleted') return null;
  return (
    <div
      role="alert"
      className="flex flex-wrap items-center gap-3 border-b bg-amber-500/10 px-3 py-2 text-sm"
    >
      <span>
        {left > 0
          ? `This sandbox times out in ${formatCountdown(sandbox.expires_at, now)}: it is then deleted with its files and session.`
          : 'This sandbox has reached its timeout and is being deleted.'}
      </span>
      {left > 0 && (
        <Button
          size="sm"
          variant="outline"
          disabled={extend.isPending}
          onClick={() =>
            extend.mutate(EXTEND_SECONDS, {
              onSuccess: () => toast.success('Timeout extended: the sandbox now stays for 1 hour from now.'),
              onError: (e) => toast.error(`Could not extend the timeout: ${describeError(e)}`),
            })
          }
        >
          {extend.isPending ? 'Extending…' : 'Extend by 1 hour'}
        </Button>
      )}
    </div>
  );
}
