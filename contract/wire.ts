/**
 * The HopX wire format, written the same way by every part of the engine (control plane, gateway
 * and the agent inside each sandbox) and read by the dashboard: the flat error envelope, request
 * ids and timestamps. No imports beyond the contract and web-standard globals, so the agent bundle
 * and the browser both take it as it is.
 */
import type { ErrorEnvelope } from './schemas.ts';

/** A client's `X-Request-ID` is kept when it looks like an id (a UUID, `req_…`); otherwise we mint one. */
export const REQUEST_ID_RE = /^[A-Za-z0-9_.:-]{8,128}$/;

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
let idBytes = new Uint8Array(0);
let idUsed = 0;

export function newRequestId(): string {
  // Random bytes are drawn for 128 ids at a time: one getRandomValues per id cost more than the
  // rest of a gateway hop on a warm run (issue 8). Ids are unique, not secret.
  if (idUsed + 12 > idBytes.length) {
    idBytes = crypto.getRandomValues(new Uint8Array(12 * 128));
    idUsed = 0;
  }
  let id = 'req_';
  for (let i = idUsed; i < idUsed + 12; i++) id += HEX[idBytes[i] ?? 0];
  idUsed += 12;
  return id;
}

/** The request id to use for a request: the client's if well formed, else a fresh `req_…`. */
export function requestIdFrom(given: string | string[] | undefined): string {
  return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : newRequestId();
}

/** RFC 3339 with whole seconds and `Z`: the Python SDK still supports Python 3.8 (see 0002). */
export function rfc3339(date: Date | number = Date.now()): string {
  const ms = typeof date === 'number' ? date : date.getTime();
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The flat envelope: `message` duplicates `error` (the JS SDK reads `message`). */
export function errorEnvelope(
  code: string,
  message: string,
  requestId: string,
  extra: Partial<ErrorEnvelope> & Record<string, unknown> = {},
): ErrorEnvelope & Record<string, unknown> {
  return { error: message, message, code, request_id: requestId, timestamp: rfc3339(), ...extra };
}
