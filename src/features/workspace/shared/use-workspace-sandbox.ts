/** The sandbox a workspace tab works on (loaded by the layout route) and how to reach its agent. */
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { agentTarget } from '@/api/agent';
import { sandboxQueryOptions } from '@/api/sandboxes';

export function useWorkspaceSandbox(sandboxId: string) {
  const { data: sandbox } = useQuery(sandboxQueryOptions(sandboxId));
  const host = sandbox?.public_host ?? '';
  const token = sandbox?.auth_token;
  const expires = sandbox?.token_expires_at;
  // Stable while the host and token do not change, so queries and sockets are not rebuilt per poll.
  const target = useMemo(
    () => agentTarget({ id: sandboxId, public_host: host, auth_token: token, token_expires_at: expires }),
    [sandboxId, host, token, expires],
  );
  return { sandbox, target, running: sandbox?.status === 'running' };
}
