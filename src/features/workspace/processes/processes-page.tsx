import { TabPlaceholder } from '../shared/tab-placeholder';

export function ProcessesPage(_props: { sandboxId: string }) {
  return <TabPlaceholder title="Processes" />;
}
