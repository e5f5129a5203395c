/**
 * The sandbox's global environment variables, on its agent (`/env`): every later execution, command
 * and terminal sees them. Variables given at create time are here too.
 */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { agentRequest, type AgentTarget } from './agent';

export const envKeys = {
  all: ['agent-env'] as const,
  sandbox: (sandboxId: string) => [...envKeys.all, sandboxId] as const,
};

const EnvReply = z.looseObject({ env_vars: z.record(z.string(), z.string()) });

export function envQueryOptions(target: AgentTarget) {
  return queryOptions({
    queryKey: envKeys.sandbox(target.id),
    queryFn: ({ signal }) =>
      agentRequest(target, '/env', { schema: EnvReply, signal }).then((r) => r.env_vars),
  });
}

/** Adds or changes variables (PATCH merges; the others are kept). */
export function useSetEnvVars(target: AgentTarget) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (vars: Record<string, string>) =>
      agentRequest(target, '/env', {
        method: 'PATCH',
        body: { env_vars: vars, merge: true },
        schema: EnvReply,
      }),
    onSuccess: (r) => client.setQueryData(envKeys.sandbox(target.id), r.env_vars),
    onSettled: () => client.invalidateQueries({ queryKey: envKeys.sandbox(target.id) }),
  });
}

/** Renames or removes: writes the whole set back (PUT replaces). */
export function useReplaceEnvVars(target: AgentTarget) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (vars: Record<string, string>) =>
      agentRequest(target, '/env', {
        method: 'PUT',
        body: { env_vars: vars, merge: false },
        schema: EnvReply,
      }),
    onSuccess: (r) => client.setQueryData(envKeys.sandbox(target.id), r.env_vars),
    onSettled: () => client.invalidateQueries({ queryKey: envKeys.sandbox(target.id) }),
  });
}

export function useDeleteEnvVar(target: AgentTarget) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (key: string) =>
      agentRequest(target, `/env/${encodeURIComponent(key)}`, { method: 'DELETE', schema: EnvReply }),
    onSuccess: (r) => client.setQueryData(envKeys.sandbox(target.id), r.env_vars),
    onSettled: () => client.invalidateQueries({ queryKey: envKeys.sandbox(target.id) }),
  });
}
