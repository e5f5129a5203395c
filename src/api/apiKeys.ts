/** Named API keys (engine extension): list, create (secret shown once), revoke. */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { request } from './client';
import { ApiKeyList, CreatedApiKey } from '@contract/schemas';

export const apiKeyKeys = {
  all: ['api-keys'] as const,
  list: () => [...apiKeyKeys.all, 'list'] as const,
};

const Revoked = z.looseObject({ id: z.string(), revoked: z.boolean() });

export const fetchApiKeys = (signal?: AbortSignal) =>
  request('/v1/api-keys', { schema: ApiKeyList, signal, query: { limit: 100 } });

export function apiKeysQueryOptions() {
  return queryOptions({ queryKey: apiKeyKeys.list(), queryFn: ({ signal }) => fetchApiKeys(signal) });
}

export function useCreateApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      request('/v1/api-keys', { method: 'POST', body: { name }, schema: CreatedApiKey }),
    onSuccess: () => client.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });
}

export function useRevokeApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      request(`/v1/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE', schema: Revoked }),
    onSuccess: () => client.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });
}
