/** Sandboxes: fetchers, query-key factory, queryOptions and mutations (with optimistic updates). */
import { queryOptions, useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { isApiError, request } from './client';
import { sandboxPollInterval } from './intervals';
import { queryClient as appQueryClient } from './query-client';
import { Sandbox, SandboxList, type CreateSandboxRequest, type SandboxStatus } from '@contract/schemas';

/**
 * The lifetime of a new sandbox unless the person picks another: the create dialog and the template
 * page's "Run code in a new sandbox" use the same one (and say so).
 */
export const DEFAULT_TIMEOUT_SECONDS = 3600;

/**
 * Why the engine answers 404 for a sandbox: it `expired` (deleted at its deadline), was `deleted` by
 * someone, or is `unknown` to this engine; null when the error is not a 404.
 */
export function sandboxGoneReason(error: unknown): 'expired' | 'deleted' | 'unknown' | null {
  if (!isApiError(error) || error.status !== 404) return null;
  if (error.details.status !== 'deleted') return 'unknown';
  return error.details.reason === 'expired' ? 'expired' : 'deleted';
}

/** What the dashboard says about a sandbox that is gone (page heading and one sentence). */
export const GONE_TEXT = {
  expired: {
    title: 'This sandbox timed out',
    body: 'It reached the end of its timeout and was deleted with its files. Extend a sandbox’s timeout to keep it longer.',
  },
  deleted: { title: 'This sandbox was deleted', body: 'It no longer runs and its files are gone.' },
  unknown: {
    title: 'Sandbox not found',
    body: 'No sandbox has this id on this engine. It may have expired or been deleted.',
  },
} as const;

export const SORT_FIELDS = ['created_at', 'status', 'template_name'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export interface SandboxListParams {
  limit: number;
  cursor?: string;
  status?: SandboxStatus[];
  template?: string;
  region?: string;
  /** `local` or an upstream's name (decision 0014); absent: every backend. */
  backend?: string;
  q?: string;
  sort?: SortField;
  order?: 'asc' | 'desc';
}

import { ACTION_RULES, type SandboxAction } from '@contract/lifecycle';

export { LIFECYCLE_ACTIONS, ACTION_RULES, actionApplies } from '@contract/lifecycle';
export type { LifecycleAction, SandboxAction } from '@contract/lifecycle';

export const sandboxKeys = {
  all: ['sandboxes'] as const,
  lists: () => [...sandboxKeys.all, 'list'] as const,
  list: (params: SandboxListParams) => [...sandboxKeys.lists(), params] as const,
  details: () => [...sandboxKeys.all, 'detail'] as const,
  detail: (id: string) => [...sandboxKeys.details(), id] as const,
  /** Key of every lifecycle mutation; polling speeds up while one is in flight. */
  actions: () => [...sandboxKeys.all, 'action'] as const,
};

const ActionResult = z.looseObject({ id: z.string(), status: z.string() });
const TimeoutResult = z.looseObject({
  id: z.string(),
  timeout_seconds: z.number().int().nullable(),
  expires_at: z.string().nullable(),
});
const TokenResult = z.looseObject({ auth_token: z.string(), token_expires_at: z.string() });

export function fetchSandboxes(params: SandboxListParams, signal?: AbortSignal) {
  return request('/v1/sandboxes', {
    schema: SandboxList,
    signal,
    query: {
      limit: params.limit,
      cursor: params.cursor,
      status: params.status?.length ? params.status.join(',') : undefined,
      template: params.template,
      region: params.region,
      backend: params.backend,
      q: params.q,
      sort: params.sort,
      order: params.order,
    },
  });
}

export const fetchSandbox = (id: string, signal?: AbortSignal) =>
  request(`/v1/sandboxes/${encodeURIComponent(id)}`, { schema: Sandbox, signal });

export const createSandbox = (body: CreateSandboxRequest) =>
  request('/v1/sandboxes', { method: 'POST', body, schema: Sandbox });

export const runSandboxAction = (id: string, action: SandboxAction) =>
  action === 'delete'
    ? request(`/v1/sandboxes/${encodeURIComponent(id)}`, { method: 'DELETE', schema: ActionResult })
    : request(`/v1/sandboxes/${encodeURIComponent(id)}/${action}`, { method: 'POST', schema: ActionResult });

export const setSandboxTimeout = (id: string, timeout_seconds: number) =>
  request(`/v1/sandboxes/${encodeURIComponent(id)}/timeout`, {
    method: 'PUT',
    body: { timeout_seconds },
    schema: TimeoutResult,
  });

export const refreshSandboxToken = (id: string) =>
  request(`/v1/sandboxes/${encodeURIComponent(id)}/token/refresh`, { method: 'POST', schema: TokenResult });

function pollInterval(statuses: readonly string[], client: QueryClient): number {
  return sandboxPollInterval({
    statuses,
    pendingActions: client.isMutating({ mutationKey: sandboxKeys.actions() }),
  });
}

export function sandboxListQueryOptions(params: SandboxListParams) {
  return queryOptions({
    queryKey: sandboxKeys.list(params),
    queryFn: ({ signal }) => fetchSandboxes(params, signal),
    refetchInterval: (query) =>
      pollInterval(query.state.data?.data.map((s) => s.status) ?? [], appQueryClient),
    placeholderData: (prev) => prev,
  });
}

export function sandboxQueryOptions(id: string) {
  return queryOptions({
    queryKey: sandboxKeys.detail(id),
    queryFn: ({ signal }) => fetchSandbox(id, signal),
    refetchInterval: (query) => {
      const err = query.state.error;
      if (err && 'status' in err && (err as { status: number }).status === 404) return false;
      if (query.state.data?.status === 'deleted') return false; // gone: asking again would be a 404
      return pollInterval(query.state.data ? [query.state.data.status] : [], appQueryClient);
    },
  });
}

type Snapshot = [readonly unknown[], unknown][];

/** Writes `patch` into the sandbox's detail and every list containing it; returns what to restore. */
export function patchSandboxInCache(client: QueryClient, id: string, patch: Partial<Sandbox>): Snapshot {
  const snapshot: Snapshot = [];
  for (const [key, data] of client.getQueriesData<SandboxList>({ queryKey: sandboxKeys.lists() })) {
    if (!data) continue;
    snapshot.push([key, data]);
    client.setQueryData<SandboxList>(key, {
      ...data,
      data: data.data.map((s) => (s.id === id ? { ...s, ...patch } : s)),
    });
  }
  const detail = client.getQueryData<Sandbox>(sandboxKeys.detail(id));
  if (detail) {
    snapshot.push([sandboxKeys.detail(id), detail]);
    client.setQueryData<Sandbox>(sandboxKeys.detail(id), { ...detail, ...patch });
  }
  return snapshot;
}

function restore(client: QueryClient, snapshot: Snapshot): void {
  for (const [key, data] of snapshot) client.setQueryData(key, data);
}

/** One lifecycle action on one sandbox, applied optimistically and rolled back on error. */
export function useSandboxAction() {
  const client = useQueryClient();
  return useMutation({
    mutationKey: sandboxKeys.actions(),
    mutationFn: ({ id, action }: { id: string; action: SandboxAction }) => runSandboxAction(id, action),
    onMutate: async ({ id, action }) => {
      await client.cancelQueries({ queryKey: sandboxKeys.all });
      return { snapshot: patchSandboxInCache(client, id, { status: ACTION_RULES[action].to }) };
    },
    onError: (_e, _v, ctx) => {
      if (ctx) restore(client, ctx.snapshot);
    },
    onSettled: (_r, error, { id, action }) => settleAction(client, id, action, error),
  });
}

/**
 * Refreshes what an action changed. A deleted sandbox is not asked for again (its page is being
 * left, and the engine would answer 404): only the lists are refetched.
 */
function settleAction(client: QueryClient, id: string, action: SandboxAction, error: unknown) {
  if (action === 'delete' && !error) {
    void client.cancelQueries({ queryKey: sandboxKeys.detail(id) });
    return client.invalidateQueries({ queryKey: sandboxKeys.lists() });
  }
  return client.invalidateQueries({ queryKey: sandboxKeys.all });
}

export interface BulkResult {
  id: string;
  ok: boolean;
  error?: unknown;
}

/** The same action on many sandboxes; resolves with one result per sandbox (never rejects). */
export function useBulkSandboxAction() {
  const client = useQueryClient();
  return useMutation({
    mutationKey: sandboxKeys.actions(),
    mutationFn: async ({ ids, action }: { ids: string[]; action: SandboxAction }): Promise<BulkResult[]> => {
      const settled = await Promise.allSettled(ids.map((id) => runSandboxAction(id, action)));
      return settled.map((r, i) => ({
        id: ids[i] ?? '',
        ok: r.status === 'fulfilled',
        error: r.status === 'rejected' ? r.reason : undefined,
      }));
    },
    onMutate: async ({ ids, action }) => {
      await client.cancelQueries({ queryKey: sandboxKeys.all });
      return {
        snapshots: ids.map((id) => patchSandboxInCache(client, id, { status: ACTION_RULES[action].to })),
      };
    },
    onSuccess: (results, _v, ctx) => {
      // Roll back only the sandboxes whose action failed; the refetch below brings the truth anyway.
      results.forEach((r, i) => {
        if (!r.ok && ctx?.snapshots[i]) restore(client, ctx.snapshots[i]);
      });
    },
    onSettled: () => client.invalidateQueries({ queryKey: sandboxKeys.all }),
  });
}

export function useCreateSandbox() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createSandbox,
    onSuccess: (sandbox) => {
      client.setQueryData(sandboxKeys.detail(sandbox.id), sandbox);
      return client.invalidateQueries({ queryKey: sandboxKeys.lists() });
    },
  });
}

export function useSetSandboxTimeout(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (seconds: number) => setSandboxTimeout(id, seconds),
    onSuccess: (r) => {
      patchSandboxInCache(client, id, { timeout_seconds: r.timeout_seconds, expires_at: r.expires_at });
      return client.invalidateQueries({ queryKey: sandboxKeys.all });
    },
  });
}

export function useRefreshSandboxToken(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => refreshSandboxToken(id),
    onSuccess: (r) => {
      patchSandboxInCache(client, id, { auth_token: r.auth_token, token_expires_at: r.token_expires_at });
    },
  });
}
