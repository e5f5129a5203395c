import { useEffect, useSyncExternalStore } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { rfc3339 } from '@contract/wire';
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

/** Everything about the current run (re-renders on every published batch: use it low in the tree). */
export function useRunState(session: RunSession): RunState {
  return useSyncExternalStore(session.subscribe, session.getSnapshot, session.getSnapshot);
}

/** Whether a run is in progress (re-renders only when that changes). */
export function useRunBusy(session: RunSession): boolean {
  const get = () => session.busy;
  return useSyncExternalStore(session.subscribe, get, get);
}

/** The sandbox's run session; finished runs refresh the history, refreshed tokens reach the cache. */
export function useRunSession(sandboxId: string): RunSession {
  const session = runSessionFor(sandboxId);
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
            token_expires_at: rfc3339(new Date(t.expiresAt)),
          });
        }
      }),
    [client, sandboxId],
  );
  return session;
}
