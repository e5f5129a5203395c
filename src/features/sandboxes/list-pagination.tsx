import { getRouteApi } from '@tanstack/react-router';
import { ChevronLeft, ChevronRight } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { NativeSelect } from '@/components/ui/input';
import {
  DEFAULT_PAGE_SIZE,
  PAGE_SIZES,
  nextPage,
  previousPage,
  resetPaging,
  type PageSize,
  type SandboxListSearch,
} from './search';

const route = getRouteApi('/sandboxes/');

/** Cursor pagination: the stack of earlier cursors lives in the URL, so Back and reload work. */
export function ListPagination({
  search,
  hasMore,
  nextCursor,
  count,
}: {
  search: SandboxListSearch;
  hasMore: boolean;
  nextCursor: string | null;
  count: number;
}) {
  const navigate = route.useNavigate();
  const page = (search.prev?.length ?? 0) + 1;
  return (
    <nav aria-label="Pagination" className="flex flex-wrap items-center justify-between gap-3 text-sm">
      <div className="flex items-center gap-2">
        <label htmlFor="page-size" className="text-muted-foreground">
          Rows per page
        </label>
        <NativeSelect
          id="page-size"
          className="w-24"
          value={search.limit ?? DEFAULT_PAGE_SIZE}
          onChange={(e) =>
            void navigate({
              search: (s) => resetPaging(s, { limit: Number(e.target.value) as PageSize }),
            })
          }
        >
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </NativeSelect>
      </div>
      <div className="flex items-center gap-2">
        <span className="text-muted-foreground" aria-live="polite">
          Page {page} · {count} shown
        </span>
        <Button
          variant="outline"
          size="sm"
          disabled={page === 1}
          onClick={() => void navigate({ search: (s) => previousPage(s) })}
        >
          <ChevronLeft /> Previous
        </Button>
        <Button
          variant="outline"
          size="sm"
          disabled={!hasMore || !nextCursor}
          onClick={() => nextCursor && void navigate({ search: (s) => nextPage(s, nextCursor) })}
        >
          Next <ChevronRight />
        </Button>
      </div>
    </nav>
  );
}
