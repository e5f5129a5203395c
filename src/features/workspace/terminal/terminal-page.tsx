import { TabPlaceholder } from '../shared/tab-placeholder';

export function TerminalPage(_props: { sandboxId: string }) {
  return <TabPlaceholder title="Terminal" />;
}
