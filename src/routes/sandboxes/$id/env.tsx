import { createFileRoute } from '@tanstack/react-router';
import { EnvPage } from '@/features/workspace/env/env-page';

export const Route = createFileRoute('/sandboxes/$id/env')({
  component: function EnvPageRoute() {
    const { id } = Route.useParams();
    return <EnvPage sandboxId={id} />;
  },
});
