import { createFileRoute } from '@tanstack/react-router';
import { TerminalPage } from '@/features/workspace/terminal/terminal-page';

export const Route = createFileRoute('/sandboxes/$id/terminal')({
  component: function TerminalPageRoute() {
    const { id } = Route.useParams();
    return <TerminalPage sandboxId={id} />;
  },
});
