/** What goes wrong between the gateway and an upstream's agent, as the envelope the client gets. */
import type { UpstreamAgentTarget } from '../upstream/types.ts';
import { GatewayError, errors } from './errors.ts';

export interface UpstreamTimeouts {
  /** Opening a connection to the upstream's agent host (default 5 s). */
  connectTimeoutMs: number;
  /** Waiting for the response head (or the WebSocket handshake); long, a synchronous /execute runs first. */
  responseTimeoutMs: number;
}

export const DEFAULT_UPSTREAM_TIMEOUTS: UpstreamTimeouts = {
  connectTimeoutMs: 5_000,
  responseTimeoutMs: 15 * 60_000,
};

/**
 * Map a failure to the client's envelope. An upstream's own refusal (a GatewayError) passes
 * through; a failed token refresh carries the control plane's status (404: the sandbox is gone);
 * a sandbox the control plane no longer `known`s is 404; timeouts are 504 `UPSTREAM_TIMEOUT`; anything else (refused, reset, DNS) 502 `UPSTREAM_UNAVAILABLE`.
 */
export function upstreamFailure(err: unknown, backend: string, known?: () => boolean): GatewayError {
  // The control plane forgot the sandbox meanwhile (its refresh got a 404): it is gone.
  if (known && !known()) return errors.notFound();
  if (err instanceof GatewayError) return err;
  const e = (err ?? {}) as {
    statusCode?: unknown;
    status?: unknown;
    code?: unknown;
    name?: unknown;
    message?: unknown;
  };
  const status =
    typeof e.statusCode === 'number' ? e.statusCode : typeof e.status === 'number' ? e.status : 0;
  if (status === 404) return errors.notFound();
  const timedOut =
    status === 504 ||
    e.name === 'TimeoutError' ||
    e.code === 'UPSTREAM_TIMEOUT' ||
    e.code === 'ETIMEDOUT' ||
    (typeof e.message === 'string' && /timed out/i.test(e.message));
  return timedOut ? errors.upstreamTimeout(backend) : errors.upstreamUnavailable(backend);
}

/** Network errors after which the sandbox may simply be gone upstream (its agent host closed or unknown). */
const MAYBE_GONE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * A refused connection or an unknown agent host may mean the sandbox was deleted upstream behind
 * the engine's back: ask the upstream's control plane (a forced token refresh answers 404 then),
 * so the client gets 404 `SANDBOX_NOT_FOUND` rather than a 502 it would retry.
 */
export async function diagnose(
  err: unknown,
  target: UpstreamAgentTarget,
  known: () => boolean,
): Promise<GatewayError> {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && MAYBE_GONE.has(code)) {
    try {
      await target.token({ forceRefresh: true });
    } catch (e) {
      if (upstreamFailure(e, target.backend, known).statusCode === 404) return errors.notFound();
    }
  }
  return upstreamFailure(err, target.backend, known);
}
