/**
 * HTTP forwarding to an upstream sandbox's agent (its `public_host` on a HopX-compatible cloud):
 * the engine-issued token the client sent was checked already; here the upstream's JWT is swapped
 * in server-side. Bodies stream both ways; small bodies are kept so an upstream 401 can be retried
 * once with a refreshed upstream token. See docs/decisions/0014-upstream.md, "Agent traffic".
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import type { UpstreamAgentTarget } from '../upstream/types.ts';
import { forwardedPath } from './access.ts';
import { errors, sendError } from './errors.ts';
import { answerAfterBody, filterHeaders, isJson, streamBody, writeAgentHead } from './http-proxy.ts';
import { diagnose, upstreamFailure, type UpstreamTimeouts } from './upstream-errors.ts';
import type { GatewayLogger } from './types.ts';

export interface UpstreamHttpForward extends UpstreamTimeouts {
  sandboxId: string;
  target: UpstreamAgentTarget;
  /** The upstream answered 404 for the sandbox: it was deleted behind the engine's back. */
  forget(sandboxId: string): void;
  /** Whether the upstream side still knows the sandbox (false once it was forgotten). */
  known(): boolean;
  agents: UpstreamAgentPool;
  requestId: string;
  url: URL;
  cors: Record<string, string>;
  jsonLimit: number;
  log?: GatewayLogger;
}

export interface UpstreamAgentPool {
  http: http.Agent;
  https: https.Agent;
}

export function upstreamAgentPool(): UpstreamAgentPool {
  return {
    http: new http.Agent({ keepAlive: true, maxSockets: 256 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 256 }),
  };
}

/** Bodies up to this size are read before forwarding, so a 401 can be retried with a new token. */
export const REPLAYABLE_BODY = 1024 * 1024;
/** Request headers never sent upstream: engine credentials, cookies, and what names the engine. */
const PRIVATE_UPSTREAM = new Set(['authorization', 'x-api-key', 'cookie', 'host', 'origin', 'referer']);

/** The upstream's URL for a client path: `public_host` (its path prefix kept, as the SDKs do) + path. */
export function upstreamPath(publicHost: URL, url: URL): string {
  return `${publicHost.pathname.replace(/\/+$/, '')}${forwardedPath(url)}`;
}

export function forwardUpstreamHttp(req: IncomingMessage, res: ServerResponse, f: UpstreamHttpForward): void {
  const json = isJson(req);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (json && declared > f.jsonLimit) {
    answerAfterBody(req, res, errors.tooLarge(f.jsonLimit), f.requestId, f.cors);
    return;
  }
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (!chunked && !(declared > 0)) return void send(req, res, f, Buffer.alloc(0), false);
  if (chunked || declared > REPLAYABLE_BODY) return void send(req, res, f, null, false);
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.once('end', () => void send(req, res, f, Buffer.concat(chunks), false));
  req.once('error', () => res.destroy());
}

/**
 * One attempt. `body` is the whole body when it can be replayed, or null to stream `req` (then a
 * 401 is passed on to the client, after refreshing the upstream token for its retry).
 */
async function send(
  req: IncomingMessage,
  res: ServerResponse,
  f: UpstreamHttpForward,
  body: Buffer | null,
  retried: boolean,
): Promise<void> {
  const fail = (err: unknown) => {
    const e = upstreamFailure(err, f.target.backend, f.known);
    if (e.statusCode === 404) f.forget(f.sandboxId);
    else if (e.statusCode >= 500)
      f.log?.warn({ err, sandbox_id: f.sandboxId, request_id: f.requestId }, e.message);
    if (body === null) answerAfterBody(req, res, e, f.requestId, f.cors);
    else sendError(res, e, f.requestId, f.cors);
  };
  let token: string;
  try {
    token = await f.target.token(retried ? { forceRefresh: true } : undefined);
  } catch (err) {
    return fail(err);
  }
  if (res.destroyed) return;
  let base: URL;
  try {
    base = new URL(f.target.publicHost);
  } catch (err) {
    return fail(err);
  }
  const secure = base.protocol === 'https:';
  const up = (secure ? https : http).request({
    protocol: base.protocol,
    hostname: base.hostname.replace(/^\[|\]$/g, ''),
    port: base.port || (secure ? 443 : 80),
    agent: secure ? f.agents.https : f.agents.http,
    method: req.method,
    path: upstreamPath(base, f.url),
    headers: {
      ...filterHeaders(req.headers, PRIVATE_UPSTREAM),
      ...(body === null ? {} : { 'content-length': String(body.length) }),
      authorization: `Bearer ${token}`,
      'x-request-id': f.requestId,
    },
  });
  let timedOut = false;
  const expire = () => {
    timedOut = true;
    up.destroy();
  };
  const headTimer = setTimeout(expire, f.responseTimeoutMs);
  up.on('socket', (s) => {
    if (!s.connecting) return;
    const t = setTimeout(expire, f.connectTimeoutMs);
    s.once('connect', () => clearTimeout(t));
    s.once('close', () => clearTimeout(t));
  });
  let state = { refused: false };
  up.on('error', (err) => {
    clearTimeout(headTimer);
    if (res.headersSent || state.refused) return void res.destroy();
    if (timedOut) return fail(errors.upstreamTimeout(f.target.backend));
    void diagnose(err, f.target, f.known).then(fail);
  });
  up.on('response', (upRes) => {
    clearTimeout(headTimer);
    const status = upRes.statusCode ?? 502;
    if (status === 401 && !retried && body !== null) {
      upRes.resume();
      return void send(req, res, f, body, true);
    }
    if (status === 401 && body === null && !retried) {
      // The body is gone: refresh the upstream token now, so the client's own retry succeeds.
      upRes.pause();
      void f.target
        .token({ forceRefresh: true })
        .catch(() => undefined)
        .then(() => relay(upRes, res, f, status));
      return;
    }
    relay(upRes, res, f, status);
  });
  // The client went away before the upstream answered: cancel the upstream request.
  res.on('close', () => {
    clearTimeout(headTimer);
    if (!res.writableFinished) up.destroy();
  });
  if (body !== null) up.end(body);
  else state = streamBody(req, up, res, { json: isJson(req), ...f });
}

/** A 404 of the sandbox itself (not of a file) carries this code, from a Hopdeck or HopX agent host. */
const SANDBOX_GONE = /"code"\s*:\s*"(SANDBOX_NOT_FOUND|SANDBOX_DELETED)"/;
/** At most this much of a 404 is read to learn whether the sandbox itself is gone. */
const NOT_FOUND_PEEK = 64 * 1024;

function relay(upRes: IncomingMessage, res: ServerResponse, f: UpstreamHttpForward, status: number): void {
  if (status !== 404) {
    if (writeAgentHead(res, upRes, f)) pipeline(upRes, res, () => undefined);
    return;
  }
  // Read the start of a 404 to learn whether the sandbox itself is gone, then answer as-is.
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (c: Buffer) => {
    chunks.push(c);
    size += c.length;
    if (size <= NOT_FOUND_PEEK) return;
    // Large: not an envelope; pass it on as a stream.
    upRes.off('data', onData).off('end', onEnd);
    upRes.pause();
    if (!writeAgentHead(res, upRes, f)) return;
    for (const chunk of chunks) res.write(chunk);
    pipeline(upRes, res, () => undefined);
  };
  const onEnd = () => {
    const raw = Buffer.concat(chunks);
    if (!writeAgentHead(res, upRes, f)) return;
    res.end(raw, () => {
      if (SANDBOX_GONE.test(raw.toString('utf8'))) f.forget(f.sandboxId);
    });
  };
  upRes.on('data', onData).on('end', onEnd);
  upRes.once('error', () => res.destroy());
}
