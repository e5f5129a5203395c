import { createFileRoute } from '@tanstack/react-router';
import { sandboxQueryOptions } from '@/api/sandboxes';
import { SandboxLayout } from '@/features/sandboxes/detail/sandbox-layout';

export const Route = createFileRoute('/sandboxes/$id')({
  loader: async ({ context, params }) => {
    // Errors (404 for deleted or unknown sandboxes) are rendered by the page itself.
    await context.queryClient.ensureQueryData(sandboxQueryOptions(params.id)).catch(() => undefined);
  },
  component: SandboxLayout,
});
