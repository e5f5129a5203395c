// Hostile cases against the whole engine (issue 12): a dead agent is noticed and restarted (or
// the sandbox is marked error), a failed create leaves no record, and deadlines hold with the
// engine down. A neighbour sandbox keeps running code throughout.
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../../contract/schemas.ts';
import { sh } from '../runtime/testing/helpers.ts';
import { getSandbox } from '../store/sandboxes.ts';
import { json, startEngine, type TestEngine } from './engine.ts';

let engine: TestEngine;
let neighbour: Sandbox;

async function create(e: TestEngine, payload: Record<string, unknown>): Promise<Sandbox> {
  const res = await e.app.inject({ method: 'POST', url: '/v1/sandboxes', headers: e.auth, payload });
  expect(res.statusCode, res.body).toBe(201);
  return Sandbox.parse(json(res));
}

async function get(e: TestEngine, id: string): Promise<Sandbox> {
  return Sandbox.parse(json(await e.app.inject({ url: `/v1/sandboxes/${id}`, headers: e.auth })));
}

async function until<T>(what: string, fn: () => Promise<T | null>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const neighbourRuns = async () =>
  expect((await sh(engine.runtime.socketPath(neighbour.id), 'echo neighbour ok')).stdout).toBe(
    'neighbour ok\n',
  );

/** kill -9 the agent from inside its own sandbox (the request dies with it). */
const killAgent = (id: string) =>
  sh(engine.runtime.socketPath(id), 'kill -9 $(pgrep -o -x node)').catch(() => undefined);

beforeAll(async () => {
  engine = await startEngine();
  neighbour = await create(engine, { template_name: 'ubuntu' });
});
afterAll(async () => {
  await engine?.dispose();
});

describe('hostile sandbox vs. the engine', { timeout: 300_000 }, () => {
  it('restarts a sandbox whose agent was killed from inside, and says the kernel state was lost', async () => {
    const s = await create(engine, { template_name: 'ubuntu' });
    await sh(engine.runtime.socketPath(s.id), 'echo kept > /workspace/kept.txt');
    await killAgent(s.id);
    const back = await until('the restart', async () => {
      const r = await get(engine, s.id);
      return r.error_message ? r : null;
    });
    expect(back.status).toBe('running');
    expect(back.error_message).toMatch(
      /agent stopped unexpectedly .* restarted: .*Python kernel state .* lost/,
    );
    const after = await sh(engine.runtime.socketPath(s.id), 'cat /workspace/kept.txt');
    expect(after.stdout).toBe('kept\n');
    await neighbourRuns();
  });

  it('marks a sandbox whose agent keeps dying as error, with the reason, instead of 502 forever', async () => {
    const s = await create(engine, { template_name: 'ubuntu' });
    for (let death = 1; death <= 4; death++) {
      const before = getSandbox(engine.store.db, s.id)?.pid;
      await killAgent(s.id);
      await until(`death ${death} handled`, async () => {
        const r = getSandbox(engine.store.db, s.id);
        return r?.status === 'error' || (r?.pid !== before && engine.runtime.isAlive(s.id)) ? r : null;
      });
    }
    const dead = await get(engine, s.id);
    expect(dead.status).toBe('error');
    expect(dead.error_message).toMatch(/4 times in 10 minutes, so it was not restarted/);
    // start brings it back.
    const started = await engine.app.inject({
      method: 'POST',
      url: `/v1/sandboxes/${s.id}/start`,
      headers: engine.auth,
    });
    expect(json(started)).toMatchObject({ status: 'running' });
    expect((await sh(engine.runtime.socketPath(s.id), 'echo up')).stdout).toBe('up\n');
    await neighbourRuns();
  });

  it('leaves no record and no files behind when a create fails (no free gateway port), however often retried', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const tight = await startEngine({ agentPorts: [port, port] });
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const res = await tight.app.inject({
          method: 'POST',
          url: '/v1/sandboxes',
          headers: tight.auth,
          payload: { template_name: 'ubuntu' },
        });
        expect(res.statusCode).toBe(503);
        expect(json(res)).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      }
      const rows = tight.store.db.prepare('SELECT COUNT(*) AS n FROM sandboxes').get() as { n: number };
      expect(rows.n).toBe(0);
      const list = await tight.app.inject({ url: '/v1/sandboxes?status=error', headers: tight.auth });
      expect(json<{ data: unknown[] }>(list).data).toEqual([]);
      expect(readdirSync(join(tight.dataDir, 'sandboxes'))).toEqual([]);
    } finally {
      await tight.dispose();
      blocker.close();
    }
    await neighbourRuns();
  });

  it('stops sandboxes at their deadline while the engine is down; an extended deadline moves', async () => {
    const other = await startEngine();
    try {
      const short = await create(other, { template_name: 'ubuntu' });
      const extended = await create(other, { template_name: 'ubuntu' });
      const setTimeoutS = async (id: string, seconds: number) => {
        const put = await other.app.inject({
          method: 'PUT',
          url: `/v1/sandboxes/${id}/timeout`,
          headers: other.auth,
          payload: { timeout_seconds: seconds },
        });
        expect(put.statusCode).toBe(200);
        return Date.parse(json<{ expires_at: string }>(put).expires_at);
      };
      const shortDeadline = await setTimeoutS(short.id, 4);
      await setTimeoutS(extended.id, 4);
      const newDeadline = await setTimeoutS(extended.id, 25);
      await other.stop(); // no engine from here on: only the sandboxes' watchdogs
      const rt = other.runtime;
      await until('the short sandbox to stop', async () => (rt.isAlive(short.id) ? null : true));
      expect(Date.now()).toBeGreaterThanOrEqual(shortDeadline);
      expect(rt.isAlive(extended.id)).toBe(true);
      await until('the extended sandbox to stop', async () => (rt.isAlive(extended.id) ? null : true));
      expect(Date.now()).toBeGreaterThanOrEqual(newDeadline);
    } finally {
      await other.dispose();
    }
    await neighbourRuns();
  });
});
