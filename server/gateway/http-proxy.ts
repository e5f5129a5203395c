/**
 * Plain HTTP forwarding to the agent's unix socket. Bodies stream both ways (uploads and downloads
 * are never buffered); JSON request bodies have a size limit. `POST /execute` is teed (capped) into
 * the run history without delaying the client.
 */
import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { drainRequest } from '../lib/drain.ts';
import { errors, sendError, type GatewayError } from './errors.ts';
import { forwardedPath } from './access.ts';
import { ExecutionRecording, richOutputsOf, type HistorySink } from './history.ts';
import type { GatewayLogger } from './types.ts';

export interface HttpForward {
  sandboxId: string;
  socketPath: string;
  agent: http.Agent;
  requestId: string;
  url: URL;
  cors: Record<string, string>;
  jsonLimit: number;
  history?: HistorySink;
  log?: GatewayLogger;
}

/** Captured at most this much of an /execute request or response for the history. */
const CAPTURE_REQUEST = 4 * 1024 * 1024;
const CAPTURE_RESPONSE = 16 * 1024 * 1024;

/** Headers that describe one connection (RFC 9110 §7.6.1) and never cross a proxy. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Request headers the sandbox must never see: engine credentials and the dashboard's cookies. */
const PRIVATE_REQUEST = new Set(['authorization', 'x-api-key', 'cookie']);
/** Response headers of the agent's that never reach the client (the gateway sets its own id). */
const PRIVATE_RESPONSE = new Set(['set-cookie', 'x-request-id']);

/** Header names a `Connection` header lists (hop-by-hop for this message); none when it is plain. */
function connectionListed(value: string | string[] | undefined): ReadonlySet<string> | null {
  if (value === undefined) return null;
  const text = String(value).toLowerCase();
  if (text === 'keep-alive' || text === 'close') return null;
  return new Set(
    text
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
  );
}

export function filterHeaders(headers: IncomingHttpHeaders, drop: Set<string>): OutgoingHttpHeaders {
  const listed = connectionListed(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || drop.has(name) || listed?.has(name)) continue;
    if (name.startsWith('access-control-')) continue;
    out[name] = value;
  }
  return out;
}

export function agentRequestHeaders(req: IncomingMessage, requestId: string): OutgoingHttpHeaders {
  return { ...filterHeaders(req.headers, PRIVATE_REQUEST), 'x-request-id': requestId };
}

/** Headers every response from an agent port carries, whatever the agent said. */
export function gatewayResponseHeaders(
  requestId: string,
  cors: Record<string, string>,
): Record<string, string> {
  return {
    ...cors,
    'x-request-id': requestId,
    'x-content-type-options': 'nosniff',
    // A response of the sandbox is data, never a page that runs on the agent port's origin.
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'; sandbox",
  };
}

class Capture {
  #chunks: Buffer[] = [];
  #size = 0;
  overflow = false;
  constructor(private readonly limit: number) {}
  add(chunk: Buffer): void {
    if (this.overflow) return;
    this.#size += chunk.length;
    if (this.#size > this.limit) {
      this.overflow = true;
      this.#chunks = [];
      return;
    }
    this.#chunks.push(chunk);
  }
  json(): Record<string, unknown> | null {
    if (this.overflow) return null;
    try {
      const v: unknown = JSON.parse(Buffer.concat(this.#chunks).toString('utf8'));
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }
}

export function isJson(req: IncomingMessage): boolean {
  return /\bjson\b/i.test(String(req.headers['content-type'] ?? ''));
}

export function forwardHttp(req: IncomingMessage, res: ServerResponse, f: HttpForward): void {
  const json = isJson(req);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (json && declared > f.jsonLimit) {
    answerAfterBody(req, res, errors.tooLarge(f.jsonLimit), f.requestId, f.cors);
    return;
  }
  const record = f.history !== undefined && req.method === 'POST' && f.url.pathname === '/execute';
  const startedAt = new Date();
  const reqCapture = record ? new Capture(CAPTURE_REQUEST) : null;
  const resCapture = record ? new Capture(CAPTURE_RESPONSE) : null;

  const upstream = http.request({
    socketPath: f.socketPath,
    agent: f.agent,
    method: req.method,
    path: forwardedPath(f.url),
    headers: agentRequestHeaders(req, f.requestId),
  });

  const body = streamBody(req, upstream, res, { json, ...f }, (chunk) => reqCapture?.add(chunk));
  upstream.on('error', (err) => {
    if (res.writableEnded || body.refused) return;
    f.log?.warn({ err, sandbox_id: f.sandboxId, request_id: f.requestId }, 'agent request failed');
    sendError(res, errors.agentUnavailable(), f.requestId, f.cors);
  });

  upstream.on('response', (agentRes) => {
    const status = agentRes.statusCode ?? 502;
    if (!writeAgentHead(res, agentRes, f)) return;
    if (resCapture) agentRes.on('data', (chunk: Buffer) => resCapture.add(chunk));
    // pipe + explicit error handling rather than stream.pipeline, whose per-call AbortSignal and
    // end-of-stream bookkeeping cost more than the rest of this proxy on a warm `print(1)`.
    // An agent that fails mid-answer cuts the client's response (`res.on('close')` below cuts the
    // agent request when the client goes first); `finish` means the whole answer was written.
    agentRes.on('error', () => res.destroy());
    agentRes.on('close', () => {
      if (!agentRes.complete) res.destroy();
    });
    agentRes.pipe(res);
    if (!reqCapture || !resCapture || !f.history) return;
    if ((status < 200 || status >= 300) && status !== 408) return;
    const history = f.history;
    // After the answer is out: the run history (a SQLite write) never delays the client.
    res.once('finish', () =>
      setImmediate(() => recordExecute(f, history, reqCapture, resCapture, status, startedAt)),
    );
  });

  // The client went away before the agent answered: cancel the agent request.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
}

/**
 * Write the agent's status and headers (filtered, plus the gateway's own) to the client; a head
 * Node refuses to send (invalid characters from a hostile agent) becomes a 502 instead.
 */
export function writeAgentHead(
  res: ServerResponse,
  agentRes: IncomingMessage,
  f: { sandboxId: string; requestId: string; cors: Record<string, string>; log?: GatewayLogger },
): boolean {
  const status = agentRes.statusCode ?? 502;
  const headers = {
    ...filterHeaders(agentRes.headers, PRIVATE_RESPONSE),
    ...gatewayResponseHeaders(f.requestId, f.cors),
  };
  try {
    res.writeHead(status < 200 || status > 599 ? 502 : status, headers);
    return true;
  } catch (err) {
    f.log?.warn(
      { err, sandbox_id: f.sandboxId, request_id: f.requestId },
      'agent sent an invalid response head',
    );
    agentRes.destroy();
    sendError(res, errors.agentUnavailable(), f.requestId, f.cors);
    return false;
  }
}

/**
 * Stream the client's body to the agent; a JSON body past the limit is cut off and answered 413
 * (after draining it). `refused` tells the caller the answer was already given.
 */
export function streamBody(
  req: IncomingMessage,
  upstream: http.ClientRequest,
  res: ServerResponse,
  f: { json: boolean; jsonLimit: number; requestId: string; cors: Record<string, string> },
  onChunk?: (chunk: Buffer) => void,
): { refused: boolean } {
  const state = { refused: false };
  let received = 0;
  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
    onChunk?.(chunk);
    if (f.json && received > f.jsonLimit && !state.refused) {
      state.refused = true;
      req.unpipe(upstream);
      upstream.destroy();
      answerAfterBody(req, res, errors.tooLarge(f.jsonLimit), f.requestId, f.cors);
    }
  });
  // pipe, not pipeline: refusing an oversized body must not tear the client's socket down before
  // the 413 is written.
  req.pipe(upstream);
  req.on('error', () => upstream.destroy());
  return state;
}

/**
 * Answer an error before the body was forwarded (too large, refused): read and drop the rest of the
 * upload first (bounded), so the client is not cut off mid-send and sees the envelope, not a reset.
 */
export function answerAfterBody(
  req: IncomingMessage,
  res: ServerResponse,
  err: GatewayError,
  requestId: string,
  cors: Record<string, string>,
): void {
  void drainRequest(req).then((complete) => {
    if (!complete) res.setHeader('connection', 'close');
    sendError(res, err, requestId, cors);
  });
}

function recordExecute(
  f: HttpForward,
  sink: HistorySink,
  reqCap: Capture,
  resCap: Capture,
  status: number,
  startedAt: Date,
): void {
  const request = reqCap.json();
  if (!request) return;
  const rec = new ExecutionRecording(f.sandboxId, request, sink, f.log, startedAt);
  const body = resCap.json();
  if (!body) {
    rec.outcome(status === 408 ? 'timeout' : 'failed');
    rec.finishAtOnce(undefined, 'failed');
    return;
  }
  rec.stdout(body.stdout);
  rec.stderr(body.stderr);
  for (const r of richOutputsOf(body)) rec.rich(r);
  rec.result(body);
  const timedOut = status === 408 || body.code === 'EXECUTION_TIMEOUT' || body.timed_out === true;
  if (timedOut) rec.outcome('timeout');
  else if (body.success === false) rec.outcome('failed');
  rec.finishAtOnce(body.execution_id, 'completed');
}
