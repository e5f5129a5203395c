import { useQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { ChevronLeft, ChevronRight } from 'lucide-react';
import { useCallback } from 'react';
import { backendOf, backendsQueryOptions } from '@/api/backends';
import { templateListQueryOptions } from '@/api/templates';
import { PageHeader } from '@/components/layout/page-header';
import { Button } from '@/components/ui/button';
import { ErrorAlert } from '@/components/ui/error-alert';
import { FilterSelect } from '@/components/ui/filter-select';
import { SearchInput } from '@/components/ui/search-input';
import { Skeleton } from '@/components/ui/skeleton';
import { distinct, matchesQuery } from './filter';
import { TEMPLATE_PAGE_SIZE, type TemplateListSearch } from './search';
import { TemplateCard } from './template-card';

const route = getRouteApi('/templates/');

export function TemplatesPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const list = useQuery(templateListQueryOptions({ category: search.category, language: search.language }));
  // Filter choices come from the whole catalog, not from the filtered result.
  const all = useQuery(templateListQueryOptions());
  const update = (patch: Partial<TemplateListSearch>) =>
    void navigate({ search: (s) => ({ ...s, ...patch, page: undefined }), replace: true });

  const commitQuery = useCallback(
    (q: string) =>
      void navigate({ search: (s) => ({ ...s, q: q || undefined, page: undefined }), replace: true }),
    [navigate],
  );

  const backends = useQuery(backendsQueryOptions()).data ?? [];
  const backendNames = distinct([...backends.map((b) => b.name), search.backend ?? '']);
  const showBackend = backendNames.length > 1;
  const matches = (list.data ?? []).filter(
    (t) => matchesQuery(t, search.q) && (!search.backend || backendOf(t) === search.backend),
  );
  const pages = Math.max(1, Math.ceil(matches.length / TEMPLATE_PAGE_SIZE));
  const page = Math.min(search.page ?? 1, pages);
  const shown = matches.slice((page - 1) * TEMPLATE_PAGE_SIZE, page * TEMPLATE_PAGE_SIZE);
  const categories = distinct([...(all.data ?? []).map((t) => t.category), search.category ?? '']);
  const languages = distinct([...(all.data ?? []).map((t) => t.language), search.language ?? '']);

  return (
    <div className="space-y-4">
      <PageHeader
        title="Templates"
        description="Starting points for sandboxes: a runtime, tools and default resources."
      />
      <div role="search" aria-label="Filter templates" className="flex flex-wrap gap-2">
        <SearchInput
          value={search.q ?? ''}
          onCommit={commitQuery}
          label="Search templates"
          placeholder="Search templates…  ( / )"
        />
        <FilterSelect
          label="Category filter"
          allLabel="All categories"
          value={search.category}
          options={categories}
          onChange={(category) => update({ category })}
        />
        <FilterSelect
          label="Language filter"
          allLabel="All languages"
          value={search.language}
          options={languages}
          onChange={(language) => update({ language })}
        />
        {showBackend && (
          <FilterSelect
            label="Backend filter"
            allLabel="All backends"
            value={search.backend}
            options={backendNames}
            onChange={(backend) => update({ backend })}
          />
        )}
      </div>
      {list.isError && <ErrorAlert error={list.error} title="Could not load templates" />}
      {list.isPending ? (
        <div
          className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3"
          aria-busy="true"
          aria-label="Loading templates"
        >
          {Array.from({ length: 6 }, (_, i) => (
            <Skeleton key={i} className="h-48" />
          ))}
        </div>
      ) : shown.length === 0 && !list.isError ? (
        <p className="rounded-lg border border-dashed p-10 text-center text-sm text-muted-foreground">
          No template matches these filters.
        </p>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3" aria-label="Templates">
          {shown.map((t) => (
            // The same template can exist on several backends.
            <TemplateCard key={`${backendOf(t)}:${t.id}`} t={t} showBackend={showBackend} />
          ))}
        </ul>
      )}
      {pages > 1 && (
        <nav aria-label="Pagination" className="flex items-center justify-end gap-2 text-sm">
          <span className="text-muted-foreground">
            Page {page} of {pages}
          </span>
          <Button
            variant="outline"
            size="sm"
            disabled={page <= 1}
            onClick={() =>
              void navigate({ search: (s) => ({ ...s, page: page - 1 > 1 ? page - 1 : undefined }) })
            }
          >
            <ChevronLeft /> Previous
          </Button>
          <Button
            variant="outline"
            size="sm"
            disabled={page >= pages}
            onClick={() => void navigate({ search: (s) => ({ ...s, page: page + 1 }) })}
          >
            Next <ChevronRight />
          </Button>
        </nav>
      )}
    </div>
  );
}
