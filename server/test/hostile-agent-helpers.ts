/**
 * Shared pieces of the hostile agent tests: a real engine (bwrap sandboxes, gateway), a victim and
 * a neighbour sandbox, agent calls through the gateway that fail the test instead of hanging it,
 * and the checks that the host side is untouched.
 */
import { expect } from 'vitest';
import { Sandbox } from '../../contract/schemas.ts';
import { json, startEngine, type TestEngine } from './engine.ts';

export interface Reply {
  status: number;
  body: Record<string, unknown>;
  text: string;
  bytes: number;
}

/** One agent call through the sandbox's gateway port; a call that does not answer in `ms` throws. */
export async function call(
  s: Sandbox,
  method: string,
  path: string,
  body?: unknown,
  ms = 20_000,
): Promise<Reply> {
  const res = await fetch(`${s.public_host}${path}`, {
    method,
    headers: { authorization: `Bearer ${s.auth_token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(ms),
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON (a download) */
  }
  return { status: res.status, body: parsed, text, bytes: Buffer.byteLength(text) };
}

/** Run a shell command in the sandbox; returns stdout (a command that fails, e.g. cannot fork, fails the test). */
export async function sh(s: Sandbox, command: string, timeout = 30): Promise<string> {
  const r = await call(s, 'POST', '/commands/run', { command, timeout }, (timeout + 20) * 1000);
  expect(r.status, r.text).toBe(200);
  expect(r.body.exit_code, r.text).toBe(0);
  return String(r.body.stdout);
}

export async function createSandbox(e: TestEngine, payload: Record<string, unknown> = {}): Promise<Sandbox> {
  const res = await e.app.inject({
    method: 'POST',
    url: '/v1/sandboxes',
    headers: e.auth,
    payload: { template_name: 'ubuntu', timeout_seconds: 3600, ...payload },
  });
  expect(res.statusCode, res.body).toBe(201);
  return Sandbox.parse(json(res));
}

export interface Stage {
  e: TestEngine;
  /** The sandbox the hostile requests go to. */
  s: Sandbox;
  /** A neighbour that must keep working. */
  n: Sandbox;
  /** The agent's start time: unchanged means it never crashed or restarted. */
  agentStart: string;
}

export async function setStage(): Promise<Stage> {
  const e = await startEngine();
  await e.listen();
  const [s, n] = await Promise.all([createSandbox(e), createSandbox(e)]);
  const info = await call(s, 'GET', '/info');
  return { e, s, n, agentStart: String(info.body.start_time) };
}

/**
 * The host side is untouched: the engine's /health answers, the neighbour runs code, and the
 * victim's agent is the same process as at the start (it did not crash) and still answers.
 */
export async function expectUnharmed(stage: Stage): Promise<void> {
  const health = await fetch(`${stage.e.baseUrl}/health`, { signal: AbortSignal.timeout(5000) });
  expect(health.status).toBe(200);
  const run = await call(stage.n, 'POST', '/execute', { language: 'bash', code: 'echo neighbour-$((40+2))' });
  expect(run.body).toMatchObject({ success: true, stdout: 'neighbour-42\n' });
  const info = await call(stage.s, 'GET', '/info', undefined, 5000);
  expect(info.status).toBe(200);
  expect(info.body.start_time).toBe(stage.agentStart);
}
