/** What the sandbox page shows while it loads, when it cannot be loaded, and when it does not exist. */
import { Link, type ErrorComponentProps, type NotFoundRouteProps } from '@tanstack/react-router';
import { ArrowLeft } from 'lucide-react';
import { GONE_TEXT, sandboxGoneReason } from '@/api/sandboxes';
import { Button } from '@/components/ui/button';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Skeleton } from '@/components/ui/skeleton';

function BackToList() {
  return (
    <Button asChild variant="outline">
      <Link to="/sandboxes">
        <ArrowLeft /> All sandboxes
      </Link>
    </Button>
  );
}

export function SandboxLayoutPending() {
  return (
    <div className="space-y-3" aria-busy="true" aria-label="Loading sandbox">
      <Skeleton className="h-8 w-80 max-w-full" />
      <Skeleton className="h-48 w-full" />
    </div>
  );
}

/** The route's notFoundComponent: the engine answered 404 (unknown id, or deleted). */
export function SandboxNotFound({ data }: NotFoundRouteProps) {
  const text = GONE_TEXT[sandboxGoneReason(data) ?? 'unknown'];
  return (
    <div className="mx-auto max-w-lg space-y-4 py-10 text-center">
      <h1 className="text-xl font-semibold">{text.title}</h1>
      <p className="text-sm text-muted-foreground">{text.body}</p>
      <BackToList />
    </div>
  );
}

/** The route's errorComponent: anything else that kept the sandbox from loading. */
export function SandboxLoadError({ error, reset }: ErrorComponentProps) {
  return (
    <div className="mx-auto max-w-lg space-y-4 py-10 text-center">
      <h1 className="text-xl font-semibold">Could not load the sandbox</h1>
      <ErrorAlert
        error={error}
        className="text-left"
        action={
          <Button variant="outline" size="sm" onClick={reset}>
            Try again
          </Button>
        }
      />
      <BackToList />
    </div>
  );
}
