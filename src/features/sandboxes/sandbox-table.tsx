import { Link } from '@tanstack/react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Boxes, Plus, X } from 'lucide-react';
import { memo, useRef } from 'react';
import type { Sandbox } from '@contract/schemas';
import { backendOf } from '@/api/backends';
import { Button } from '@/components/ui/button';
import { NativeCheckbox } from '@/components/ui/native-checkbox';
import { CopyButton } from '@/components/ui/copy-button';
import { Skeleton } from '@/components/ui/skeleton';
import { formatResources, formatResourcesShort } from '@/lib/format';
import { UsageCell } from './usage-cell';
import { RowActions } from './row-actions';
import { StatusBadge } from './status-badge';
import { Countdown, RelativeTime } from './time-cells';

export const ROW_HEIGHT = 49;
/**
 * Column widths; `wide` columns are shown from the md breakpoint on. On a phone the table keeps ID,
 * status and the row's actions, so the id fits whole and the actions are on screen.
 */
const COLUMNS = [
  { width: 40, wide: true },
  { width: 220, wide: false },
  { width: 105, wide: false },
  { width: 132, wide: true },
  { width: 80, wide: true },
  { width: 150, wide: true },
  { width: 120, wide: true },
  { width: 135, wide: true },
  { width: 95, wide: true },
  { width: 52, wide: false },
];
/** The Backend column, after Template, only when the engine has upstreams. */
const BACKEND_COLUMN = { width: 110, wide: true };
const columnsFor = (showBackend: boolean) =>
  showBackend ? [...COLUMNS.slice(0, 4), BACKEND_COLUMN, ...COLUMNS.slice(4)] : COLUMNS;
const WIDE = 'hidden md:table-cell';
const th =
  'sticky top-0 z-10 bg-muted px-3 py-2 text-left text-xs font-medium whitespace-nowrap text-muted-foreground';
const td = 'truncate px-3 py-2 whitespace-nowrap';

/**
 * The sandboxes table. Rows are virtualized: only those in view (plus a margin) are in the DOM, so
 * hundreds or thousands of rows scroll smoothly; spacer rows keep the scrollbar honest.
 */
export function SandboxTable({
  rows,
  selected,
  onToggle,
  onToggleAll,
  showBackend = false,
}: {
  rows: Sandbox[];
  selected: ReadonlySet<string>;
  /** Stable callbacks (rows are memoized and re-render only when their own data changes). */
  onToggle: (id: string, on: boolean) => void;
  onToggleAll: (on: boolean) => void;
  /** A Backend column (the engine has upstreams, decision 0014). */
  showBackend?: boolean;
}) {
  const columns = columnsFor(showBackend);
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual is not compiler-safe; nothing here is memoized by the compiler
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 1200, height: 800 },
    getItemKey: (i) => rows[i]?.id ?? i,
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);

  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const someSelected = !allSelected && rows.some((r) => selected.has(r.id));

  return (
    <div
      ref={scrollRef}
      data-testid="sandbox-scroller"
      className="relative max-h-[calc(100dvh-17rem)] overflow-auto rounded-lg border"
    >
      {/* Fixed layout: column widths never depend on the rows in view, so scrolling costs no table
          re-layout and columns do not jump. */}
      <table
        className={`w-full table-fixed border-collapse text-sm ${showBackend ? 'md:min-w-[1239px]' : 'md:min-w-[1129px]'}`}
        aria-rowcount={rows.length + 1}
      >
        <colgroup>
          {columns.map((c, i) => (
            <col
              key={i}
              className={c.wide ? 'hidden md:table-column' : undefined}
              // The id column takes what is left on a phone.
              style={{ width: i === 1 ? undefined : c.width }}
            />
          ))}
        </colgroup>
        <thead>
          <tr>
            <th className={`${th} ${WIDE}`}>
              <NativeCheckbox
                aria-label="Select all sandboxes on this page"
                checked={allSelected}
                indeterminate={someSelected}
                onChange={(e) => onToggleAll(e.target.checked)}
              />
            </th>
            <th className={th}>ID</th>
            <th className={th}>Status</th>
            <th className={`${th} ${WIDE}`}>Template</th>
            {showBackend && <th className={`${th} ${WIDE}`}>Backend</th>}
            <th className={`${th} ${WIDE}`}>Region</th>
            <th className={`${th} ${WIDE}`}>Resources</th>
            <th className={`${th} ${WIDE}`}>CPU · Memory</th>
            <th className={`${th} ${WIDE}`}>Created</th>
            <th className={`${th} ${WIDE}`}>Time left</th>
            <th className={th}>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {padTop > 0 && (
            <tr aria-hidden style={{ height: padTop }}>
              <td colSpan={columns.length} />
            </tr>
          )}
          {items.map((item) => {
            const s = rows[item.index];
            if (!s) return null;
            return (
              <SandboxRow
                key={s.id}
                sandbox={s}
                index={item.index}
                selected={selected.has(s.id)}
                onToggle={onToggle}
                showBackend={showBackend}
              />
            );
          })}
          {padBottom > 0 && (
            <tr aria-hidden style={{ height: padBottom }}>
              <td colSpan={columns.length} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

const SandboxRow = memo(function SandboxRow({
  sandbox: s,
  index,
  selected: isSelected,
  onToggle,
  showBackend,
}: {
  sandbox: Sandbox;
  index: number;
  selected: boolean;
  onToggle: (id: string, on: boolean) => void;
  showBackend: boolean;
}) {
  return (
    <tr
      data-index={index}
      aria-rowindex={index + 2}
      aria-selected={isSelected}
      style={{ height: ROW_HEIGHT }}
      className="border-t hover:bg-muted/50 aria-selected:bg-primary/5"
    >
      <td className={`${td} ${WIDE}`}>
        <NativeCheckbox
          aria-label={`Select ${s.id}`}
          checked={isSelected}
          onChange={(e) => onToggle(s.id, e.target.checked)}
        />
      </td>
      <td className={td}>
        <div className="flex items-center gap-1">
          <Link
            to="/sandboxes/$id"
            params={{ id: s.id }}
            className="rounded font-mono text-xs font-medium underline-offset-4 outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/60"
          >
            {s.id}
          </Link>
          <CopyButton value={s.id} label={`Copy id ${s.id}`} className="hidden size-7 md:inline-flex" />
        </div>
      </td>
      <td className={td}>
        <StatusBadge status={s.status} />
      </td>
      <td className={`${td} ${WIDE}`}>{s.template_name}</td>
      {showBackend && <td className={`${td} ${WIDE}`}>{backendOf(s)}</td>}
      <td className={`${td} ${WIDE}`}>{s.region}</td>
      <td className={`${td} ${WIDE} text-muted-foreground`} title={formatResources(s.resources)}>
        {formatResourcesShort(s.resources)}
      </td>
      <td className={`${td} ${WIDE}`}>
        <UsageCell sandbox={s} />
      </td>
      <td className={`${td} ${WIDE}`}>
        <RelativeTime iso={s.created_at} />
      </td>
      <td className={`${td} ${WIDE}`}>
        {s.status === 'deleted' ? (
          <span className="text-muted-foreground">—</span>
        ) : (
          <Countdown expiresAt={s.expires_at} />
        )}
      </td>
      <td className="px-2 py-2">
        <RowActions sandbox={s} />
      </td>
    </tr>
  );
});

export function TableSkeleton() {
  return (
    <div className="space-y-2 rounded-lg border p-3" aria-busy="true" aria-label="Loading sandboxes">
      {Array.from({ length: 6 }, (_, i) => (
        <Skeleton key={i} className="h-9 w-full" />
      ))}
    </div>
  );
}

export function EmptyState({
  filtered,
  onCreate,
  onClearFilters,
}: {
  filtered: boolean;
  onCreate: () => void;
  onClearFilters: () => void;
}) {
  return (
    <div className="flex flex-col items-center gap-3 rounded-lg border border-dashed p-10 text-center">
      <Boxes className="size-10 text-muted-foreground" aria-hidden />
      <h2 className="text-lg font-semibold">
        {filtered ? 'No sandbox matches these filters' : 'No sandboxes yet'}
      </h2>
      <p className="max-w-sm text-sm text-muted-foreground">
        {filtered
          ? 'Change or clear the filters to see more.'
          : 'A sandbox is an isolated machine for running code. Create your first one from a template.'}
      </p>
      {filtered ? (
        <Button variant="outline" onClick={onClearFilters}>
          <X /> Clear filters
        </Button>
      ) : (
        <Button onClick={onCreate}>
          <Plus /> Create your first sandbox
        </Button>
      )}
    </div>
  );
}
