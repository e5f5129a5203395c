import { createFileRoute } from '@tanstack/react-router';
import { healthQueryOptions } from '@/api/health';
import { SandboxOverview } from '@/features/sandboxes/detail/sandbox-overview';

export const Route = createFileRoute('/sandboxes/$id/')({
  loader: ({ context }) => context.queryClient.ensureQueryData(healthQueryOptions()).catch(() => undefined),
  component: SandboxOverview,
});
