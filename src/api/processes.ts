/**
 * Background executions and commands on the sandbox's agent: `/execute/background`,
 * `/commands/background`, `/execute/processes` and `/execute/kill`. The list is polled while the
 * Processes tab is open (faster while something runs).
 */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import type { Language } from '@contract/schemas';
import { agentRequest, type AgentTarget } from './agent';
import { PROCESSES_FAST_POLL_MS, PROCESSES_SLOW_POLL_MS } from './intervals';

export const processKeys = {
  all: ['agent-processes'] as const,
  sandbox: (sandboxId: string) => [...processKeys.all, sandboxId] as const,
};

const when = z.string().nullish();
export const ProcessInfo = z.looseObject({
  process_id: z.string(),
  execution_id: z.string().nullish(),
  name: z.string().nullish(),
  status: z.string(),
  language: z.string().nullish(),
  command: z.string().nullish(),
  pid: z.number().nullish(),
  started_at: when,
  start_time: when,
  completed_at: when,
  end_time: when,
  exit_code: z.number().nullish(),
  duration: z.number().nullish(),
  stdout: z.string().nullish(),
  stderr: z.string().nullish(),
  truncated: z.boolean().nullish(),
});
export type ProcessInfo = z.infer<typeof ProcessInfo>;

const ProcessList = z.looseObject({ processes: z.array(ProcessInfo) });
const Started = z.looseObject({ process_id: z.string(), execution_id: z.string().nullish() });
const Killed = z.looseObject({ success: z.boolean().optional(), status: z.string().optional() });

export const isActive = (p: ProcessInfo) => p.status === 'running' || p.status === 'queued';

/** Newest first. */
function byStart(a: ProcessInfo, b: ProcessInfo) {
  return (b.started_at ?? b.start_time ?? '').localeCompare(a.started_at ?? a.start_time ?? '');
}

export function processesQueryOptions(target: AgentTarget) {
  return queryOptions({
    queryKey: processKeys.sandbox(target.id),
    queryFn: ({ signal }) =>
      agentRequest(target, '/execute/processes', { schema: ProcessList, signal }).then((r) =>
        [...r.processes].sort(byStart),
      ),
    refetchInterval: (query) =>
      query.state.data?.some(isActive) ? PROCESSES_FAST_POLL_MS : PROCESSES_SLOW_POLL_MS,
  });
}

export type BackgroundStart =
  | { kind: 'code'; code: string; language: Language; name?: string; timeout?: number }
  | { kind: 'command'; command: string; name?: string; timeout?: number };

export function startBackground(target: AgentTarget, job: BackgroundStart) {
  if (job.kind === 'code') {
    const { code, language, name, timeout } = job;
    return agentRequest(target, '/execute/background', {
      method: 'POST',
      body: { code, language, name, timeout },
      schema: Started,
    });
  }
  const { command, name, timeout } = job;
  return agentRequest(target, '/commands/background', {
    method: 'POST',
    body: { command, name, timeout },
    schema: Started,
  });
}

/** Starts a background execution or command ("Run in background" in the run pane and this tab). */
export function useStartBackground(target: AgentTarget) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (job: BackgroundStart) => startBackground(target, job),
    onSettled: () => client.invalidateQueries({ queryKey: processKeys.sandbox(target.id) }),
  });
}

export function useKillProcess(target: AgentTarget) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (processId: string) =>
      agentRequest(target, `/execute/kill?process_id=${encodeURIComponent(processId)}`, {
        method: 'DELETE',
        schema: Killed,
      }),
    onSettled: () => client.invalidateQueries({ queryKey: processKeys.sandbox(target.id) }),
  });
}
