import { createFileRoute } from '@tanstack/react-router';
import { MetricsPage } from '@/features/workspace/metrics';

export const Route = createFileRoute('/sandboxes/$id/metrics')({
  component: function MetricsPageRoute() {
    const { id } = Route.useParams();
    return <MetricsPage sandboxId={id} />;
  },
});
