/** Run history per sandbox (engine extension `GET /v1/sandboxes/{id}/executions`). */
import { queryOptions } from '@tanstack/react-query';
import { request } from './client';
import { Execution, ExecutionList } from '@contract/schemas';

export const HISTORY_PAGE_SIZE = 25;

export const executionKeys = {
  all: ['executions'] as const,
  lists: (sandboxId: string) => [...executionKeys.all, sandboxId, 'list'] as const,
  list: (sandboxId: string, limit: number) => [...executionKeys.lists(sandboxId), limit] as const,
  detail: (sandboxId: string, execId: string) => [...executionKeys.all, sandboxId, 'detail', execId] as const,
};

const base = (sandboxId: string) => `/v1/sandboxes/${encodeURIComponent(sandboxId)}/executions`;

export const fetchExecutions = (sandboxId: string, limit: number, signal?: AbortSignal) =>
  // The history list shows code and a glimpse of output; a run's full outputs come from its detail.
  request(base(sandboxId), { schema: ExecutionList, query: { limit, fields: 'summary' }, signal });

export const fetchExecution = (sandboxId: string, execId: string, signal?: AbortSignal) =>
  request(`${base(sandboxId)}/${encodeURIComponent(execId)}`, { schema: Execution, signal });

export function executionsQueryOptions(sandboxId: string, limit = HISTORY_PAGE_SIZE) {
  return queryOptions({
    queryKey: executionKeys.list(sandboxId, limit),
    queryFn: ({ signal }) => fetchExecutions(sandboxId, limit, signal),
  });
}

export function executionQueryOptions(sandboxId: string, execId: string) {
  return queryOptions({
    queryKey: executionKeys.detail(sandboxId, execId),
    queryFn: ({ signal }) => fetchExecution(sandboxId, execId, signal),
    staleTime: Infinity,
  });
}
