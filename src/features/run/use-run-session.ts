import { useEffect, useSyncExternalStore } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { onTokenRefreshed } from '@/api/agent';
import { executionKeys } from '@/api/executions';
import { patchSandboxInCache } from '@/api/sandboxes';
import { RunSession, type RunState } from './run-session';

/** One session per sandbox for the page's lifetime: leaving the tab and coming back keeps the output. */
const sessions = new Map<string, RunSession>();

export function runSessionFor(sandboxId: string): RunSession {
  let s = sessions.get(sandboxId);
  if (!s) {
    s = new RunSession();
    sessions.set(sandboxId, s);
  }
  return s;
}

/** The sandbox's run session and its current state; finished runs refresh the history. */
export function useRunSession(sandboxId: string): { session: RunSession; state: RunState } {
  const session = runSessionFor(sandboxId);
  const state = useSyncExternalStore(session.subscribe, session.getSnapshot, session.getSnapshot);
  const client = useQueryClient();
  useEffect(
    () =>
      session.onFinished(() => void client.invalidateQueries({ queryKey: executionKeys.lists(sandboxId) })),
    [session, client, sandboxId],
  );
  useEffect(
    () =>
      onTokenRefreshed((id, t) => {
        if (id === sandboxId) {
          patchSandboxInCache(client, id, {
            auth_token: t.token,
            token_expires_at: new Date(t.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          });
        }
      }),
    [client, sandboxId],
  );
  return { session, state };
}
