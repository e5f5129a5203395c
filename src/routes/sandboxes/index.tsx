import { createFileRoute } from '@tanstack/react-router';
import { sandboxListQueryOptions } from '@/api/sandboxes';
import { templateListQueryOptions } from '@/api/templates';
import { SandboxesPage } from '@/features/sandboxes/sandboxes-page';
import { sandboxListSearchSchema, toListParams } from '@/features/sandboxes/search';

export const Route = createFileRoute('/sandboxes/')({
  validateSearch: sandboxListSearchSchema,
  loaderDeps: ({ search }) => toListParams(search),
  loader: ({ context, deps }) => {
    // Not awaited: the page shows its own skeleton, 429 retry notice and error envelope.
    void context.queryClient.prefetchQuery(sandboxListQueryOptions(deps));
    void context.queryClient.prefetchQuery(templateListQueryOptions());
  },
  component: SandboxesPage,
});
