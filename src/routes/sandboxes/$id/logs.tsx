import { createFileRoute } from '@tanstack/react-router';
import { LogsPage } from '@/features/workspace/logs';

export const Route = createFileRoute('/sandboxes/$id/logs')({
  component: function LogsPageRoute() {
    const { id } = Route.useParams();
    return <LogsPage sandboxId={id} />;
  },
});
