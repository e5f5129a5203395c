import { createFileRoute } from '@tanstack/react-router';
import { healthQueryOptions } from '@/api/health';
import { RunPane } from '@/features/run/run-pane';

export const Route = createFileRoute('/sandboxes/$id/run')({
  // The frames origin (for HTML outputs) comes from /health; the sandbox is loaded by the layout.
  loader: ({ context }) => context.queryClient.ensureQueryData(healthQueryOptions()).catch(() => undefined),
  component: RunRoute,
});

function RunRoute() {
  const { id } = Route.useParams();
  return <RunPane sandboxId={id} />;
}
