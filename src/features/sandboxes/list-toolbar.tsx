import { useQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { X } from 'lucide-react';
import { useCallback } from 'react';
import type { Sandbox, SandboxStatus } from '@contract/schemas';
import { backendsQueryOptions } from '@/api/backends';
import { templateListQueryOptions } from '@/api/templates';
import { Button } from '@/components/ui/button';
import { FilterSelect } from '@/components/ui/filter-select';
import { NativeSelect } from '@/components/ui/input';
import { SearchInput } from '@/components/ui/search-input';
import { resetPaging, type SandboxListSearch } from './search';
import { StatusFilter } from './status-filter';

const route = getRouteApi('/sandboxes/');

const SORTS = [
  { value: 'created_at:desc', label: 'Newest first' },
  { value: 'created_at:asc', label: 'Oldest first' },
  { value: 'status:asc', label: 'Status (A–Z)' },
  { value: 'status:desc', label: 'Status (Z–A)' },
  { value: 'template_name:asc', label: 'Template (A–Z)' },
  { value: 'template_name:desc', label: 'Template (Z–A)' },
] as const;

export function ListToolbar({ search, rows }: { search: SandboxListSearch; rows: Sandbox[] }) {
  const navigate = route.useNavigate();
  const templates = useQuery(templateListQueryOptions());
  const backends = useQuery(backendsQueryOptions()).data ?? [];
  const update = (patch: Partial<SandboxListSearch>) =>
    void navigate({ search: (s) => resetPaging(s, patch), replace: true });
  const commitQuery = useCallback(
    (q: string) => void navigate({ search: (s) => resetPaging(s, { q: q || undefined }), replace: true }),
    [navigate],
  );

  const statuses = search.status ?? [];
  const toggleStatus = (s: SandboxStatus) => {
    const next = statuses.includes(s) ? statuses.filter((x) => x !== s) : [...statuses, s];
    update({ status: next.length ? next : undefined });
  };
  const regions = [
    ...new Set([...rows.map((r) => r.region), ...(search.region ? [search.region] : [])]),
  ].sort();
  const sortValue = `${search.sort ?? 'created_at'}:${search.order ?? 'desc'}`;
  const anyFilter = Boolean(
    statuses.length || search.template || search.region || search.backend || search.q,
  );
  // One backend (no upstreams): nothing to choose between, unless a link asks for one.
  const backendNames = [
    ...new Set([...backends.map((b) => b.name), ...(search.backend ? [search.backend] : [])]),
  ];

  return (
    <div role="search" aria-label="Filter sandboxes" className="flex flex-wrap items-center gap-2">
      <SearchInput
        value={search.q ?? ''}
        onCommit={commitQuery}
        label="Search by id or template"
        placeholder="Search id or template…  ( / )"
      />
      <StatusFilter statuses={statuses} onToggle={toggleStatus} />
      <FilterSelect
        label="Template filter"
        allLabel="All templates"
        value={search.template}
        options={templates.data?.map((t) => ({ value: t.name, label: t.display_name })) ?? []}
        onChange={(template) => update({ template })}
      />
      <FilterSelect
        label="Region filter"
        allLabel="All regions"
        value={search.region}
        options={regions}
        onChange={(region) => update({ region })}
      />
      {backendNames.length > 1 && (
        <FilterSelect
          label="Backend filter"
          allLabel="All backends"
          value={search.backend}
          options={backendNames}
          onChange={(backend) => update({ backend })}
        />
      )}
      <NativeSelect
        aria-label="Sort"
        className="w-auto"
        value={sortValue}
        onChange={(e) => {
          const [sort, order] = e.target.value.split(':') as [SandboxListSearch['sort'], 'asc' | 'desc'];
          update(
            sort === 'created_at' && order === 'desc'
              ? { sort: undefined, order: undefined }
              : { sort, order },
          );
        }}
      >
        {SORTS.map((s) => (
          <option key={s.value} value={s.value}>
            {s.label}
          </option>
        ))}
      </NativeSelect>
      {anyFilter && (
        <Button
          variant="ghost"
          onClick={() => {
            update({
              status: undefined,
              template: undefined,
              region: undefined,
              backend: undefined,
              q: undefined,
            });
          }}
        >
          <X /> Clear filters
        </Button>
      )}
    </div>
  );
}
