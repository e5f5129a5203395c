/**
 * The browser's session with the engine (backend for frontend): the engine keeps the API key and the
 * browser an HttpOnly cookie. The key typed on the sign-in page is sent once and never stored.
 */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { isApiError, request } from './client';
import { SESSION_STALE_MS } from './intervals';

export const Session = z.looseObject({
  authenticated: z.literal(true),
  key_name: z.string().nullable().optional(),
  key_prefix: z.string().nullable().optional(),
  expires_at: z.string().nullable().optional(),
});
export type Session = z.infer<typeof Session>;

export const sessionKeys = { all: ['session'] as const };

const SessionAnswer = z.union([Session, z.looseObject({ authenticated: z.literal(false) })]);

/**
 * The current session, or null when signed out. The engine answers a visitor without a cookie with
 * `{authenticated: false}` (no 401 in the console on every first visit); an expired session still
 * answers 401, which is an answer here too, not an error.
 */
export async function fetchSession(signal?: AbortSignal): Promise<Session | null> {
  try {
    const s = await request('/auth/session', { schema: SessionAnswer, signal });
    return s.authenticated ? s : null;
  } catch (e) {
    if (isApiError(e) && e.status === 401) return null;
    throw e;
  }
}

export function sessionQueryOptions() {
  return queryOptions({
    queryKey: sessionKeys.all,
    queryFn: ({ signal }) => fetchSession(signal),
    staleTime: SESSION_STALE_MS,
  });
}

const LoginResult = z.looseObject({ authenticated: z.literal(true) });

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (apiKey: string) =>
      request('/auth/login', { method: 'POST', body: { api_key: apiKey }, schema: LoginResult }),
    onSuccess: () => client.invalidateQueries({ queryKey: sessionKeys.all }),
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => request('/auth/logout', { method: 'POST', body: {}, schema: z.unknown() }),
    onSettled: () => {
      client.clear();
      client.setQueryData(sessionKeys.all, null);
    },
  });
}

/** Only local paths are followed after sign-in (never another origin). */
export function safeRedirect(target: string | undefined): string {
  if (!target || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) {
    return '/sandboxes';
  }
  return target.startsWith('/login') ? '/sandboxes' : target;
}
