import { createFileRoute } from '@tanstack/react-router';
import { ProcessesPage } from '@/features/workspace/processes/processes-page';

export const Route = createFileRoute('/sandboxes/$id/processes')({
  component: function ProcessesPageRoute() {
    const { id } = Route.useParams();
    return <ProcessesPage sandboxId={id} />;
  },
});
