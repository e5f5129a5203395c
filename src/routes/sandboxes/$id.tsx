import { createFileRoute, notFound } from '@tanstack/react-router';
import { isApiError } from '@/api/client';
import { sandboxQueryOptions } from '@/api/sandboxes';
import { SandboxLayout } from '@/features/sandboxes/detail/sandbox-layout';
import {
  SandboxLayoutPending,
  SandboxLoadError,
  SandboxNotFound,
} from '@/features/sandboxes/detail/sandbox-layout-states';

export const Route = createFileRoute('/sandboxes/$id')({
  loader: async ({ context, params }) => {
    try {
      await context.queryClient.ensureQueryData(sandboxQueryOptions(params.id));
    } catch (error) {
      if (isApiError(error) && error.status === 404) throw notFound({ data: error });
      throw error;
    }
  },
  component: SandboxLayout,
  pendingComponent: SandboxLayoutPending,
  errorComponent: SandboxLoadError,
  notFoundComponent: SandboxNotFound,
});
