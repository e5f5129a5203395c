// Faults (issue 12): kill -9 of a real `hopdeck serve` with a running, a paused and a stopped
// sandbox, then an engine on the same data directory: each sandbox is in the state it was in
// (running runs code with its variables, paused resumes with them, stopped starts with its
// /workspace), and nothing is duplicated (records, agent processes).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../../contract/schemas.ts';
import { call, freePort, procsOfUid, report, sh } from './hostile-agent-helpers.ts';
import { startEngine, type TestEngine } from './engine.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'hopdeck-faults-'));
const apiKey = `hopx_live_faults.${randomBytes(16).toString('hex')}`;
let child: ChildProcess | undefined;
let second: TestEngine | undefined;
afterAll(async () => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  // The second engine (or, if the test failed before it, a fresh one) destroys what is left.
  second ??= await startEngine({ dataDir, apiKey });
  await second.dispose();
});

async function serve(): Promise<string> {
  const port = await freePort();
  child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'server/main.ts',
      'serve',
      '--port',
      `${port}`,
      '--frames-port',
      `${await freePort()}`,
    ],
    {
      detached: true,
      stdio: 'ignore',
      env: {
        ...process.env,
        HOPDECK_DATA_DIR: dataDir,
        HOPDECK_API_KEY: apiKey,
        HOPDECK_WARM_POOL: '0',
        HOPDECK_AGENT_PORTS: '27200-27240',
      },
    },
  );
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error('hopdeck serve did not come up');
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return base;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('faults: kill -9 of the engine', { timeout: 300_000 }, () => {
  it('running, paused and stopped sandboxes come back in the same state, with their variables and files', async () => {
    const base = await serve();
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { 'x-api-key': apiKey, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      expect(res.status, `${method} ${path}`).toBeLessThan(300);
      return (await res.json()) as Record<string, unknown>;
    };
    const create = async () => Sandbox.parse(await api('POST', '/v1/sandboxes', { template_name: 'python' }));
    const [running, paused, stopped] = await Promise.all([create(), create(), create()]);
    const py = (s: Sandbox, code: string) => call(s, 'POST', '/execute', { language: 'python', code });
    expect((await py(running, 'x = 42')).body.success).toBe(true);
    expect((await py(paused, 'y = "kept while paused"')).body.success).toBe(true);
    await sh(stopped, 'echo "kept while stopped" > /workspace/note.txt');
    await api('POST', `/v1/sandboxes/${paused.id}/pause`);
    await api('POST', `/v1/sandboxes/${stopped.id}/stop`);
    const uids = await Promise.all([running].map(async (s) => Number((await sh(s, 'id -u')).trim())));

    child!.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));

    const t0 = performance.now();
    second = await startEngine({ dataDir, apiKey });
    const back = Math.round(performance.now() - t0);
    expect(second.app.engine.reconciled).toMatchObject({ running: 1, paused: 1, stopped: 1, missing: 0 });
    const get = async (id: string) =>
      Sandbox.parse(
        JSON.parse((await second!.app.inject({ url: `/v1/sandboxes/${id}`, headers: second!.auth })).body),
      );
    const list = JSON.parse(
      (await second.app.inject({ url: '/v1/sandboxes', headers: second.auth })).body,
    ) as {
      data: { id: string }[];
    };
    expect(list.data.map((s) => s.id).sort()).toEqual([running.id, paused.id, stopped.id].sort());
    expect((await get(running.id)).status).toBe('running');
    expect((await get(paused.id)).status).toBe('paused');
    expect((await get(stopped.id)).status).toBe('stopped');

    // Running: same kernel, same variables, one agent and one kernel process.
    const r = await py(await get(running.id), 'print(x)');
    expect(r.body, r.text).toMatchObject({ success: true, stdout: '42\n' });
    expect(procsOfUid(uids[0]!).length).toBe(2);
    // Paused: resumes with its variables.
    const ctl = (id: string, action: string) =>
      second!.app.inject({ method: 'POST', url: `/v1/sandboxes/${id}/${action}`, headers: second!.auth });
    expect((await ctl(paused.id, 'resume')).statusCode).toBe(200);
    const p = await py(await get(paused.id), 'print(y)');
    expect(p.body, p.text).toMatchObject({ success: true, stdout: 'kept while paused\n' });
    // Stopped: starts with its /workspace.
    expect((await ctl(stopped.id, 'start')).statusCode).toBe(200);
    expect(await sh(await get(stopped.id), 'cat /workspace/note.txt')).toBe('kept while stopped\n');
    report('kill -9 of the engine (running, paused, stopped)', {
      restartMs: back,
      sandboxes: list.data.length,
    });
  });
});
