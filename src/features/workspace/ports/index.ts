/** Placeholder created by D1 so the tab and its route exist; D2 owns this folder and replaces it. */
import { createElement } from 'react';
import { TabPlaceholder } from '../shared/tab-placeholder';

export function PortsPage(_props: { sandboxId: string }) {
  return createElement(TabPlaceholder, { title: 'Ports' });
}
