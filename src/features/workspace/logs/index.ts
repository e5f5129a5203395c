/** The Logs tab (D2); the route renders `LogsPage` (`LogsTab` is the same component). */
export { LogsPage, LogsPage as LogsTab } from './logs-page';
