/** URL search params of the sandboxes list: filters, sort, page size and the cursor stack. */
import { z } from 'zod';
import { SORT_FIELDS, type SandboxListParams } from '@/api/sandboxes';
import { SandboxStatus } from '@contract/schemas';

export const PAGE_SIZES = [10, 25, 50, 100] as const;
export type PageSize = (typeof PAGE_SIZES)[number];
export const DEFAULT_PAGE_SIZE = 50;

// `.catch(undefined)`: a hand-edited or stale link falls back to the default instead of failing.
export const sandboxListSearchSchema = z.object({
  status: z.array(SandboxStatus).optional().catch(undefined),
  template: z.string().max(128).optional().catch(undefined),
  region: z.string().max(64).optional().catch(undefined),
  /** `local` or an upstream's name. */
  backend: z.string().max(64).optional().catch(undefined),
  q: z.string().max(200).optional().catch(undefined),
  sort: z.enum(SORT_FIELDS).optional().catch(undefined),
  order: z.enum(['asc', 'desc']).optional().catch(undefined),
  limit: z
    .union([z.literal(10), z.literal(25), z.literal(50), z.literal(100)])
    .optional()
    .catch(undefined),
  /** Cursor of the page shown; absent on the first page. */
  cursor: z.string().max(512).optional().catch(undefined),
  /** Cursors of the pages before it, oldest first ('' = the first page), for "Previous". */
  prev: z.array(z.string().max(512)).max(200).optional().catch(undefined),
  /** Opens the create dialog; a string preselects that template. */
  create: z
    .union([z.boolean(), z.string().max(128)])
    .optional()
    .catch(undefined),
});
export type SandboxListSearch = z.infer<typeof sandboxListSearchSchema>;

/** What the list query sends to the engine for these search params. */
export function toListParams(s: SandboxListSearch): SandboxListParams {
  return {
    limit: s.limit ?? DEFAULT_PAGE_SIZE,
    cursor: s.cursor,
    status: s.status?.length ? [...s.status].sort() : undefined,
    template: s.template || undefined,
    region: s.region || undefined,
    backend: s.backend || undefined,
    q: s.q?.trim() || undefined,
    sort: s.sort,
    order: s.order,
  };
}

/** Search params for the next page: push the current cursor on the stack. */
export function nextPage(s: SandboxListSearch, nextCursor: string): SandboxListSearch {
  return { ...s, prev: [...(s.prev ?? []), s.cursor ?? ''], cursor: nextCursor };
}

/** Search params for the previous page: pop the stack. */
export function previousPage(s: SandboxListSearch): SandboxListSearch {
  const prev = [...(s.prev ?? [])];
  const cursor = prev.pop();
  return { ...s, prev: prev.length ? prev : undefined, cursor: cursor || undefined };
}

/** Any change of filter, sort or size starts again from the first page. */
export function resetPaging(s: SandboxListSearch, patch: Partial<SandboxListSearch>): SandboxListSearch {
  return { ...s, ...patch, cursor: undefined, prev: undefined };
}
