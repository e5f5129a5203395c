import { TabPlaceholder } from '../shared/tab-placeholder';

export function EnvPage(_props: { sandboxId: string }) {
  return <TabPlaceholder title="Env" />;
}
