import { createFileRoute } from '@tanstack/react-router';
import { filesSearchSchema } from '@/features/workspace/files/search';
import { FilesPage } from '@/features/workspace/files/files-page';

export const Route = createFileRoute('/sandboxes/$id/files')({
  validateSearch: filesSearchSchema,
  component: FilesRoute,
});

function FilesRoute() {
  const { id } = Route.useParams();
  return <FilesPage sandboxId={id} />;
}
