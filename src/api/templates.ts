/** Templates catalog: fetchers, query-key factory and queryOptions. */
import { queryOptions } from '@tanstack/react-query';
import { z } from 'zod';
import { request } from './client';
import { TEMPLATES_STALE_MS } from './intervals';
import { Template, TemplateList } from '@contract/schemas';

export interface TemplateListParams {
  category?: string;
  language?: string;
}

export const templateKeys = {
  all: ['templates'] as const,
  lists: () => [...templateKeys.all, 'list'] as const,
  list: (params: TemplateListParams) => [...templateKeys.lists(), params] as const,
  details: () => [...templateKeys.all, 'detail'] as const,
  detail: (name: string) => [...templateKeys.details(), name] as const,
};

// HopX's template list carries no next_cursor; accept its absence.
const TemplateListResponse = TemplateList.extend({ next_cursor: z.string().nullable().optional() });

/** A catalog and the backends it could not list (decision 0014). */
export interface TemplateCatalog {
  templates: Template[];
  unavailable_backends: { name: string; message: string }[];
}

/** The whole catalog for the given filters (the engine pages by 100; catalogs are small). */
export async function fetchTemplates(
  params: TemplateListParams,
  signal?: AbortSignal,
): Promise<TemplateCatalog> {
  const all: Template[] = [];
  const unavailable: TemplateCatalog['unavailable_backends'] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const res = await request('/v1/templates', {
      schema: TemplateListResponse,
      signal,
      query: { category: params.category, language: params.language, limit: 100, cursor },
    });
    all.push(...res.data);
    unavailable.push(...(res.unavailable_backends ?? []));
    if (!res.has_more || !res.next_cursor) break;
    cursor = res.next_cursor;
  }
  return { templates: all, unavailable_backends: unavailable };
}

export const fetchTemplate = (name: string, signal?: AbortSignal) =>
  request(`/v1/templates/${encodeURIComponent(name)}`, { schema: Template, signal });

export function templateListQueryOptions(params: TemplateListParams = {}) {
  return queryOptions({
    queryKey: templateKeys.list(params),
    queryFn: ({ signal }) => fetchTemplates(params, signal),
    // Screens want the templates; the banner reads unavailable_backends from the cache.
    select: (c) => c.templates,
    staleTime: TEMPLATES_STALE_MS,
  });
}

export function templateQueryOptions(name: string) {
  return queryOptions({
    queryKey: templateKeys.detail(name),
    queryFn: ({ signal }) => fetchTemplate(name, signal),
    staleTime: TEMPLATES_STALE_MS,
  });
}

/** Templates a sandbox can be created from. */
export function isUsable(t: Template): boolean {
  return t.is_active && t.status === 'active';
}
