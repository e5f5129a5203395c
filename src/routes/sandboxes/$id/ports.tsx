import { createFileRoute } from '@tanstack/react-router';
import { PortsPage } from '@/features/workspace/ports';

export const Route = createFileRoute('/sandboxes/$id/ports')({
  component: function PortsPageRoute() {
    const { id } = Route.useParams();
    return <PortsPage sandboxId={id} />;
  },
});
