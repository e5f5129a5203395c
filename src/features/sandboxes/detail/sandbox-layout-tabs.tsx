/** The sandbox page's sections, one child route each (the active one is in the URL). */
import { Link } from '@tanstack/react-router';
import { cn } from '@/lib/cn';

const TABS = [
  { to: '/sandboxes/$id', label: 'Overview', exact: true },
  { to: '/sandboxes/$id/run', label: 'Run' },
  { to: '/sandboxes/$id/terminal', label: 'Terminal' },
  { to: '/sandboxes/$id/files', label: 'Files' },
  { to: '/sandboxes/$id/processes', label: 'Processes' },
  { to: '/sandboxes/$id/env', label: 'Environment' },
  { to: '/sandboxes/$id/metrics', label: 'Metrics' },
  { to: '/sandboxes/$id/logs', label: 'Logs' },
  { to: '/sandboxes/$id/ports', label: 'Ports' },
] as const;

const tab =
  'shrink-0 border-b-2 border-transparent px-3 py-2 text-sm whitespace-nowrap text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/60';
const activeTab = 'border-primary font-medium text-foreground';

/** Links (not ARIA tabs): each section has its own URL, Tab moves between them, Enter opens one. */
export function SandboxTabs({ id }: { id: string }) {
  return (
    // On a phone the row scrolls sideways instead of wrapping.
    <nav aria-label="Sandbox sections" className="-mx-1 flex gap-1 overflow-x-auto border-b px-1">
      {TABS.map((t) => (
        <Link
          key={t.to}
          to={t.to}
          params={{ id }}
          activeOptions={{ exact: 'exact' in t }}
          className={tab}
          activeProps={{ className: cn(tab, activeTab), 'aria-current': 'page' }}
        >
          {t.label}
        </Link>
      ))}
    </nav>
  );
}
