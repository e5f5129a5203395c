/** The Ports tab (D2); the route renders `PortsPage` (`PortsTab` is the same component). */
export { PortsPage, PortsPage as PortsTab } from './ports-page';
