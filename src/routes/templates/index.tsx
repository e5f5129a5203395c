import { createFileRoute } from '@tanstack/react-router';
import { templateListQueryOptions } from '@/api/templates';
import { TemplatesPage } from '@/features/templates/templates-page';
import { templateListSearchSchema } from '@/features/templates/search';

export const Route = createFileRoute('/templates/')({
  validateSearch: templateListSearchSchema,
  loaderDeps: ({ search }) => ({ category: search.category, language: search.language }),
  loader: ({ context, deps }) =>
    context.queryClient.ensureQueryData(templateListQueryOptions(deps)).catch(() => undefined),
  component: TemplatesPage,
});
