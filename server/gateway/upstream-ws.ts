/**
 * WebSocket forwarding to an upstream sandbox's agent (execute stream, terminal, file watch): the
 * upstream socket opens first with the upstream's JWT (an upstream 401 → one retry with a
 * refreshed token), and only then is the client's handshake completed, so a refusal or an
 * unreachable upstream is a clear HTTP answer. Then frames are relayed like a local agent's.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import type { WebSocketServer } from 'ws';
import type { UpstreamAgentTarget } from '../upstream/types.ts';
import { forwardedPath } from './access.ts';
import { GatewayError, writeRawError } from './errors.ts';
import { diagnose, type UpstreamTimeouts } from './upstream-errors.ts';
import { acceptUpgrade, openAgentSocket, type RelayOptions } from './ws-proxy.ts';

export interface UpstreamWsForward extends RelayOptions, UpstreamTimeouts {
  target: UpstreamAgentTarget;
  forget(sandboxId: string): void;
  /** Whether the upstream side still knows the sandbox (false once it was forgotten). */
  known(): boolean;
}

/** The SDKs keep only scheme and host:port of `public_host` for WebSockets (api-digest §1.1). */
export function upstreamWsAddress(publicHost: string, url: URL): string {
  const base = new URL(publicHost);
  const scheme = base.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${base.host}${forwardedPath(url)}`;
}

export function forwardUpstreamUpgrade(
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  f: UpstreamWsForward,
): void {
  const attempt = async (forceRefresh: boolean): Promise<WebSocket> => {
    const token = await f.target.token(forceRefresh ? { forceRefresh } : undefined);
    return openAgentSocket(upstreamWsAddress(f.target.publicHost, f.url), req, socket, {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': f.requestId },
      maxPayload: f.maxPayload,
      // Offer deflate, as the SDKs do: a Hopdeck upstream then sends each frame on its own.
      perMessageDeflate: true,
      handshakeTimeout: Math.min(f.responseTimeoutMs, 30_000),
    });
  };
  attempt(false)
    .catch((err: unknown) =>
      err instanceof GatewayError && err.statusCode === 401 ? attempt(true) : Promise.reject(err),
    )
    .then(
      (upstream) => acceptUpgrade(wss, req, socket, head, upstream, f),
      async (err: unknown) => {
        const e = await diagnose(err, f.target, f.known);
        if (e.statusCode >= 500 && !(err instanceof GatewayError))
          f.log?.warn({ err, sandbox_id: f.sandboxId, request_id: f.requestId }, e.message);
        writeRawError(socket, e, f.requestId, f.cors);
        if (e.statusCode === 404 && /^SANDBOX_(NOT_FOUND|DELETED)$/.test(e.code)) f.forget(f.sandboxId);
      },
    );
}
