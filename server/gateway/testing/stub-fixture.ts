/**
 * A gateway in front of the scripted stub agent, for unit tests: registers its own beforeAll and
 * afterAll, and exposes the knobs a test turns (sandbox state, socket, recorded history).
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { SandboxTokens } from '../../auth/tokens.ts';
import type { Execution, SandboxStatus } from '../../../contract/schemas.ts';
import { createGateway, type Gateway } from '../index.ts';
import { startStubAgent, type StubAgent } from './stub-agent.ts';

export const ORIGIN = 'http://127.0.0.1:7070';

export interface StubFixture {
  id: string;
  port: number;
  base: string;
  tokens: SandboxTokens;
  token: string;
  status: SandboxStatus;
  socketOverride: string | null;
  started: Execution[];
  finished: Execution[];
  stub: StubAgent;
  gateway: Gateway;
  auth(token?: string): Record<string, string>;
}

/** A gateway in front of a stub agent, on a free port (`port` 0) unless one is given. */
export function useStubGateway(id: string, port = 0): StubFixture {
  const fx = {
    id,
    port,
    base: `http://127.0.0.1:${port}`,
    tokens: new SandboxTokens(randomBytes(32)),
    token: '',
    status: 'running',
    socketOverride: null,
    started: [],
    finished: [],
    auth: (t?: string) => ({ authorization: `Bearer ${t ?? fx.token}` }),
  } as unknown as StubFixture;
  beforeAll(async () => {
    fx.stub = await startStubAgent();
    fx.token = (await fx.tokens.issue(id)).token;
    fx.gateway = createGateway({
      host: '127.0.0.1',
      tokens: fx.tokens,
      lookup: (sid) =>
        sid === id ? { status: fx.status, socketPath: fx.socketOverride ?? fx.stub.socketPath } : null,
      history: { start: (e) => void fx.started.push(e), finish: (e) => void fx.finished.push(e) },
      corsOrigins: [ORIGIN],
      jsonBodyLimit: 64 * 1024,
      maxFrameBytes: 1024 * 1024,
      heartbeatMs: 300,
    });
    await fx.gateway.open(id, port);
    fx.port = fx.gateway.port(id) ?? port;
    fx.base = `http://127.0.0.1:${fx.port}`;
  });
  afterAll(async () => {
    await fx.gateway?.closeAll();
    await fx.stub?.close();
  });
  return fx;
}

/** Read an error response and check the HopX envelope invariants on the way. */
export async function errorOf(res: Response) {
  const body = (await res.json()) as Record<string, unknown>;
  expect(res.headers.get('x-request-id')).toMatch(/^req_/);
  expect(body.request_id).toBe(res.headers.get('x-request-id'));
  expect(body.message).toBe(body.error);
  return { status: res.status, code: body.code, message: String(body.message) };
}

export function openWs(port: number, path: string, headers: Record<string, string>, autoPong = true) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers, autoPong });
  const frames: string[] = [];
  ws.on('message', (d) => frames.push(d.toString()));
  const closed = new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve({ code })));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const refused = new Promise<number>((resolve) =>
    ws.once('unexpected-response', (_q, r) => resolve(r.statusCode ?? 0)),
  );
  return { ws, frames, closed, opened, refused };
}
