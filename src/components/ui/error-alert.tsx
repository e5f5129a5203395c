import { AlertTriangle } from 'lucide-react';
import type { ReactNode } from 'react';
import { isApiError } from '@/api/client';
import { cn } from '@/lib/cn';

/** Shows an error the way the engine reported it: message, code and request id. */
export function ErrorAlert({
  error,
  title = 'Something went wrong',
  className,
  action,
}: {
  error: unknown;
  title?: string;
  className?: string;
  action?: ReactNode;
}) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div
      role="alert"
      className={cn(
        'flex items-start gap-3 rounded-lg border border-destructive/40 bg-destructive/5 p-4 text-sm',
        className,
      )}
    >
      <AlertTriangle className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden />
      <div className="min-w-0 flex-1 space-y-1">
        <p className="font-medium">{title}</p>
        <p className="break-words">{message}</p>
        {isApiError(error) && (
          <p className="font-mono text-xs text-muted-foreground">
            {error.code}
            {error.status ? ` · HTTP ${error.status}` : ''}
            {error.requestId ? ` · request ${error.requestId}` : ''}
          </p>
        )}
      </div>
      {action}
    </div>
  );
}
