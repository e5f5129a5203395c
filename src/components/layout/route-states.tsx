import { Link, type ErrorComponentProps } from '@tanstack/react-router';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Button } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';

export function DefaultPending() {
  return (
    <div className="space-y-3 p-6" aria-busy="true" aria-label="Loading">
      <Skeleton className="h-8 w-48" />
      <Skeleton className="h-4 w-72" />
      <Skeleton className="h-40 w-full" />
    </div>
  );
}

export function DefaultError({ error, reset }: ErrorComponentProps) {
  return (
    <div className="p-6">
      <ErrorAlert
        error={error}
        action={
          <Button variant="outline" size="sm" onClick={reset}>
            Try again
          </Button>
        }
      />
    </div>
  );
}

export function DefaultNotFound() {
  return (
    <div className="mx-auto max-w-md space-y-3 p-10 text-center">
      <h1 className="text-xl font-semibold">Page not found</h1>
      <p className="text-sm text-muted-foreground">There is nothing at this address.</p>
      <Button asChild>
        <Link to="/sandboxes">Go to sandboxes</Link>
      </Button>
    </div>
  );
}
