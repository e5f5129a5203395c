import { ListFilter } from 'lucide-react';
import { Suspense, forwardRef, lazy, useState, type ComponentProps } from 'react';
import type { SandboxStatus } from '@contract/schemas';
import { Button } from '@/components/ui/button';
import { lazyMenuTriggerProps } from '@/components/ui/lazy-menu-trigger';

const StatusFilterMenu = lazy(() =>
  import('./status-filter-menu').then((m) => ({ default: m.StatusFilterMenu })),
);

const Trigger = forwardRef<HTMLButtonElement, ComponentProps<'button'> & { statuses: SandboxStatus[] }>(
  function Trigger({ statuses, ...props }, ref) {
    return (
      <Button
        ref={ref}
        variant="outline"
        aria-label={`Status filter${statuses.length ? `: ${statuses.join(', ')}` : ''}`}
        {...props}
      >
        <ListFilter /> Status
        {statuses.length > 0 && (
          <span className="rounded bg-primary/15 px-1.5 text-xs text-primary">{statuses.length}</span>
        )}
      </Button>
    );
  },
);

/** Filter by any set of statuses. The menu (Radix) loads on first use, not with the list. */
export function StatusFilter({
  statuses,
  onToggle,
}: {
  statuses: SandboxStatus[];
  onToggle: (s: SandboxStatus) => void;
}) {
  const [active, setActive] = useState(false);
  const plain = <Trigger statuses={statuses} {...lazyMenuTriggerProps(() => setActive(true))} />;
  if (!active) return plain;
  return (
    <Suspense fallback={plain}>
      <StatusFilterMenu statuses={statuses} onToggle={onToggle} trigger={<Trigger statuses={statuses} />} />
    </Suspense>
  );
}
