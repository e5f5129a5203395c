import { useQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { Plus } from 'lucide-react';
import { Suspense, lazy, useCallback, useEffect, useMemo, useState } from 'react';
import { useHasUpstreams } from '@/api/backends';
import { isApiError } from '@/api/client';
import { rateLimitDelay } from '@/api/intervals';
import { sandboxListQueryOptions } from '@/api/sandboxes';
import { PageHeader } from '@/components/layout/page-header';
import { Button } from '@/components/ui/button';
import { ErrorAlert } from '@/components/ui/error-alert';
import { ListPagination } from './list-pagination';
import { ListToolbar } from './list-toolbar';
import { EmptyState, SandboxTable, TableSkeleton } from './sandbox-table';
import { resetPaging, toListParams } from './search';

const route = getRouteApi('/sandboxes/');

// Dialogs and the bulk bar load when first needed, not with the list.
const BulkActionBar = lazy(() => import('./bulk-actions').then((m) => ({ default: m.BulkActionBar })));
const CreateSandboxDialog = lazy(() =>
  import('./create/create-sandbox-dialog').then((m) => ({ default: m.CreateSandboxDialog })),
);

export function SandboxesPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const params = useMemo(() => toListParams(search), [search]);
  const list = useQuery(sandboxListQueryOptions(params));
  const [selection, setSelected] = useState<ReadonlySet<string>>(new Set());

  const rows = useMemo(() => list.data?.data ?? [], [list.data]);
  // Only rows on screen count as selected (a new page or filter drops the others).
  const selected = useMemo(() => {
    const ids = new Set(rows.map((r) => r.id));
    return new Set([...selection].filter((id) => ids.has(id)));
  }, [rows, selection]);

  const toggle = useCallback((id: string, on: boolean) => {
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);
  const toggleAll = useCallback(
    (on: boolean) => setSelected(on ? new Set(rows.map((r) => r.id)) : new Set()),
    [rows],
  );

  // A cursor the engine refuses (hand-edited, or from another sort) can never load: go back to the
  // first page, and say so, as a bad status filter does.
  const badCursor = Boolean(search.cursor) && isApiError(list.error) && list.error.status === 400;
  const [cursorNotice, setCursorNotice] = useState(false);
  useEffect(() => {
    if (!badCursor) return;
    void navigate({ search: (s) => resetPaging(s, {}), replace: true }).then(() => setCursorNotice(true));
  }, [badCursor, navigate]);

  const createOpen = search.create !== undefined && search.create !== false;
  const filtered = Boolean(
    search.status?.length || search.template || search.region || search.backend || search.q,
  );
  const showBackend = useHasUpstreams();
  const retryIn = rateLimitDelay(list.failureReason);
  const openCreate = () => void navigate({ search: (s) => ({ ...s, create: true }) });

  return (
    <div className="space-y-4">
      <PageHeader
        title="Sandboxes"
        description={
          showBackend
            ? 'Isolated environments on this engine and its upstreams.'
            : 'Isolated environments running on this engine.'
        }
        actions={
          <Button onClick={openCreate}>
            <Plus /> New sandbox
          </Button>
        }
      />
      <ListToolbar search={search} rows={rows} />
      {retryIn !== null && list.fetchStatus === 'fetching' && (
        <div role="status" className="rounded-lg border border-warning/40 bg-warning/10 p-3 text-sm">
          The engine is rate limiting requests ({isApiError(list.failureReason) && list.failureReason.code}).
          Retrying in {Math.ceil(retryIn / 1000)} s…
        </div>
      )}
      {cursorNotice && (
        <div
          role="status"
          className="flex items-center justify-between gap-3 rounded-lg border border-warning/40 bg-warning/10 px-3 py-2 text-sm"
        >
          That page link is no longer valid, so this is the first page.
          <Button variant="ghost" size="sm" onClick={() => setCursorNotice(false)}>
            Dismiss
          </Button>
        </div>
      )}
      {list.isError && !list.isFetching && !badCursor && (
        <ErrorAlert
          error={list.error}
          title="Could not load sandboxes"
          action={
            <Button variant="outline" size="sm" onClick={() => void list.refetch()}>
              Retry
            </Button>
          }
        />
      )}
      {selected.size > 0 && (
        <Suspense fallback={null}>
          <BulkActionBar rows={rows} selected={selected} onClear={() => setSelected(new Set())} />
        </Suspense>
      )}
      {list.isPending ? (
        <TableSkeleton />
      ) : rows.length === 0 && !list.isError ? (
        <EmptyState
          filtered={filtered}
          onCreate={openCreate}
          onClearFilters={() =>
            void navigate({
              search: (s) =>
                resetPaging(s, {
                  status: undefined,
                  template: undefined,
                  region: undefined,
                  backend: undefined,
                  q: undefined,
                }),
              replace: true,
            })
          }
        />
      ) : rows.length > 0 ? (
        <SandboxTable
          rows={rows}
          selected={selected}
          onToggle={toggle}
          onToggleAll={toggleAll}
          showBackend={showBackend}
        />
      ) : null}
      {/* Paging belongs to a list: not under a skeleton or an empty state (unless a later page
          came out empty, where Previous is the way back). */}
      {!list.isPending && (rows.length > 0 || search.cursor) && (
        <ListPagination
          search={search}
          hasMore={list.data?.has_more ?? false}
          nextCursor={list.data?.next_cursor ?? null}
          count={rows.length}
        />
      )}
      {createOpen && (
        <Suspense fallback={null}>
          <CreateSandboxDialog
            open
            initialTemplate={typeof search.create === 'string' ? search.create : undefined}
            initialBackend={search.backend}
            onOpenChange={(open) => {
              if (!open) void navigate({ search: (s) => ({ ...s, create: undefined }), replace: true });
            }}
          />
        </Suspense>
      )}
    </div>
  );
}
