import { Link } from '@tanstack/react-router';
import { CloudOff } from 'lucide-react';
import type { BackendProblem } from '@/api/backends';

const SAYS: Record<BackendProblem['kind'], string> = {
  down: 'is down',
  degraded: 'is slow or failing',
  unlisted: 'could not be listed',
};

/**
 * Shown on every signed-in page while a backend is down or degraded (the engine's probe) or a list
 * on screen could not list one; it goes away by itself when the backend is back. The app shell
 * loads it only when there is something to say.
 */
export function BackendBanner({ problems }: { problems: BackendProblem[] }) {
  return (
    <div
      role="alert"
      data-testid="backend-banner"
      className="mb-4 flex items-start gap-3 rounded-lg border border-warning/40 bg-warning/10 p-3 text-sm"
    >
      <CloudOff className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden />
      <div className="min-w-0 flex-1 space-y-1">
        {problems.map((p) => (
          <p key={p.name} className="break-words">
            <span className="font-medium">
              Backend “{p.name}” {SAYS[p.kind]}
            </span>
            : {p.message}
          </p>
        ))}
        <p className="text-muted-foreground">
          Its sandboxes cannot be reached until it is back; the rest keep working. This notice clears by
          itself.{' '}
          <Link to="/settings" className="underline underline-offset-4">
            Backends in Settings
          </Link>
        </p>
      </div>
    </div>
  );
}
