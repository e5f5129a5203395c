/**
 * Talking to a sandbox's VM agent through the engine's gateway (`sandbox.public_host`). The agent
 * wants the sandbox JWT: `Authorization: Bearer` on HTTP, `?token=` on WebSocket upgrades (browsers
 * cannot set headers there). Tokens are cached per sandbox and refreshed through the control plane
 * before they expire, or once after a 401, so the person never notices.
 */
import { z } from 'zod';
import { ApiError, toApiError } from './client';
import { refreshSandboxToken } from './sandboxes';
import type { Sandbox } from '@contract/schemas';

/** Refresh when less than this is left (the SDKs use one hour; a dashboard page lives less long). */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

export interface AgentTarget {
  id: string;
  public_host: string;
  auth_token?: string;
  token_expires_at?: string;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

const tokens = new Map<string, CachedToken>();
const inflight = new Map<string, Promise<CachedToken>>();
const tokenListeners = new Set<(sandboxId: string, token: CachedToken) => void>();

function usable(t: CachedToken | undefined, now: number): t is CachedToken {
  return !!t && t.expiresAt - now > TOKEN_REFRESH_MARGIN_MS;
}

/** Called with every freshly issued token (the run pane writes it into the sandbox cache). */
export function onTokenRefreshed(listener: (sandboxId: string, token: CachedToken) => void): () => void {
  tokenListeners.add(listener);
  return () => tokenListeners.delete(listener);
}

async function refresh(sandboxId: string): Promise<CachedToken> {
  let p = inflight.get(sandboxId);
  if (!p) {
    p = refreshSandboxToken(sandboxId)
      .then((r) => {
        const t = { token: r.auth_token, expiresAt: Date.parse(r.token_expires_at) };
        tokens.set(sandboxId, t);
        tokenListeners.forEach((l) => l(sandboxId, t));
        return t;
      })
      .finally(() => inflight.delete(sandboxId));
    inflight.set(sandboxId, p);
  }
  return p;
}

/** A JWT for the sandbox valid for at least TOKEN_REFRESH_MARGIN_MS, refreshing when needed. */
export async function agentToken(target: AgentTarget, opts: { force?: boolean } = {}): Promise<string> {
  const now = Date.now();
  if (!opts.force) {
    const cached = tokens.get(target.id);
    if (usable(cached, now)) return cached.token;
    if (target.auth_token && target.token_expires_at) {
      const fromRecord = { token: target.auth_token, expiresAt: Date.parse(target.token_expires_at) };
      if (usable(fromRecord, now)) {
        tokens.set(target.id, fromRecord);
        return fromRecord.token;
      }
    }
  }
  return (await refresh(target.id)).token;
}

/** Forgets a cached token (e.g. the agent refused it). */
export function dropAgentToken(sandboxId: string): void {
  tokens.delete(sandboxId);
}

/** `ws://host:port/path?token=…` from a `public_host` (path prefixes are dropped, like the SDKs do). */
export function agentWsUrl(publicHost: string, path: string, token: string): string {
  const url = new URL(publicHost);
  const scheme = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new URL(`${scheme}//${url.host}${path}`);
  ws.searchParams.set('token', token);
  return ws.toString();
}

export function agentHttpUrl(publicHost: string, path: string): string {
  return `${publicHost.replace(/\/+$/, '')}${path}`;
}

/** A raw request to the agent (JSON, bytes or multipart); a 401 refreshes the token once and retries. */
export async function agentFetch(
  target: AgentTarget,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const send = async (force: boolean) => {
    const token = await agentToken(target, { force });
    try {
      return await fetch(agentHttpUrl(target.public_host, path), {
        ...init,
        credentials: 'omit',
        headers: { ...init.headers, Authorization: `Bearer ${token}` },
      });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      throw new ApiError({ status: 0, code: 'NETWORK_ERROR', message: 'Cannot reach the sandbox agent.' });
    }
  };
  let res = await send(false);
  if (res.status === 401) {
    dropAgentToken(target.id);
    res = await send(true);
  }
  if (!res.ok) throw await toApiError(res);
  return res;
}

/** One JSON request to the agent, its answer checked against `schema`. */
export async function agentRequest<S extends z.ZodType>(
  target: AgentTarget,
  path: string,
  opts: {
    method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    body?: unknown;
    schema: S;
    signal?: AbortSignal;
  },
): Promise<z.infer<S>> {
  const res = await agentFetch(target, path, {
    method: opts.method ?? 'GET',
    headers: {
      Accept: 'application/json',
      ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    signal: opts.signal,
  });
  const parsed = opts.schema.safeParse(await res.json().catch(() => null));
  if (!parsed.success) {
    throw new ApiError({
      status: res.status,
      code: 'INVALID_RESPONSE',
      message: 'Unexpected answer from the agent.',
    });
  }
  return parsed.data as z.infer<S>;
}

const KernelRestart = z.looseObject({});

/** Clears the Python kernel's state (`POST /kernel/restart` on the agent). */
export function restartKernel(target: AgentTarget) {
  return agentRequest(target, '/kernel/restart', { method: 'POST', body: {}, schema: KernelRestart });
}

export function agentTarget(
  sandbox: Pick<Sandbox, 'id' | 'public_host' | 'auth_token' | 'token_expires_at'>,
): AgentTarget {
  return {
    id: sandbox.id,
    public_host: sandbox.public_host,
    auth_token: sandbox.auth_token,
    token_expires_at: sandbox.token_expires_at,
  };
}
