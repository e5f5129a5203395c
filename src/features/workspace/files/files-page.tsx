import { TabPlaceholder } from '../shared/tab-placeholder';

export function FilesPage(_props: { sandboxId: string }) {
  return <TabPlaceholder title="Files" />;
}
