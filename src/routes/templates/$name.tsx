import { createFileRoute } from '@tanstack/react-router';
import { templateQueryOptions } from '@/api/templates';
import { TemplateDetailPage } from '@/features/templates/template-detail-page';

export const Route = createFileRoute('/templates/$name')({
  loader: ({ context, params }) =>
    context.queryClient.ensureQueryData(templateQueryOptions(params.name)).catch(() => undefined),
  component: TemplateDetailPage,
});
