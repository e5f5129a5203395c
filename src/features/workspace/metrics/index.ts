/** The Metrics tab (D2); the route renders `MetricsPage` (`MetricsTab` is the same component). */
export { MetricsPage, MetricsPage as MetricsTab } from './metrics-page';
