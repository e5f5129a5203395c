import { afterAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../../contract/schemas.ts';
import { createRuntime } from '../runtime/index.ts';
import { json, startEngine, type TestEngine } from './engine.ts';
import { resolve } from 'node:path';

const engines: TestEngine[] = [];
afterAll(async () => {
  const last = engines.at(-1);
  for (const e of engines.slice(0, -1)) await e.stop();
  await last?.dispose();
});

async function create(e: TestEngine, payload: Record<string, unknown>) {
  const res = await e.app.inject({ method: 'POST', url: '/v1/sandboxes', headers: e.auth, payload });
  expect(res.statusCode, res.body).toBe(201);
  return Sandbox.parse(json(res));
}

describe('engine restart', () => {
  it('sandboxes outlive the engine, are reconciled and stay reachable; vanished ones are marked error', async () => {
    const first = await startEngine();
    engines.push(first);
    const alive = await create(first, { template_name: 'python' });
    const setVar = await fetch(`${alive.public_host}/execute`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alive.auth_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'x = 41 + 1', language: 'python' }),
    });
    expect(setVar.status).toBe(200);
    const paused = await create(first, { template_name: 'ubuntu' });
    await first.app.inject({ method: 'POST', url: `/v1/sandboxes/${paused.id}/pause`, headers: first.auth });
    const doomed = await create(first, { template_name: 'ubuntu' });
    const expiring = await create(first, { template_name: 'ubuntu' });
    // A deadline set after the boot (a slow boot must not make it pass before the engine stops).
    const timeout = await first.app.inject({
      method: 'PUT',
      url: `/v1/sandboxes/${expiring.id}/timeout`,
      headers: first.auth,
      payload: { timeout_seconds: 2 },
    });
    await first.stop();
    // Its deadline passes while the engine is down.
    const wait = Date.parse(json<{ expires_at: string }>(timeout).expires_at) + 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));

    // Something outside the engine removes one sandbox while the engine is down.
    const rt = await createRuntime({
      dataDir: first.dataDir,
      isolation: 'bwrap',
      agentDir: resolve('dist/agent'),
    });
    await rt.destroy(doomed.id);
    await rt.close();

    const second = await startEngine({ dataDir: first.dataDir, apiKey: first.apiKey });
    engines.push(second);
    // The expiring sandbox was stopped at its deadline by its watchdog while the engine was down.
    expect(second.app.engine.reconciled).toMatchObject({ running: 1, stopped: 1, paused: 1, missing: 1 });
    // A deadline that passed while the engine was down is honoured right at start.
    const deadline = Date.now() + 10_000;
    let expiredStatus = 200;
    while (Date.now() < deadline && expiredStatus !== 404) {
      expiredStatus = (await second.app.inject({ url: `/v1/sandboxes/${expiring.id}`, headers: second.auth }))
        .statusCode;
      if (expiredStatus !== 404) await new Promise((r) => setTimeout(r, 100));
    }
    expect(expiredStatus).toBe(404);
    expect(await second.runtime.observe(expiring.id, null)).toBe('missing');

    const again = Sandbox.parse(
      json(await second.app.inject({ url: `/v1/sandboxes/${alive.id}`, headers: second.auth })),
    );
    expect(again.status).toBe('running');
    // The token issued before the restart still works: the signing secret lives in the store.
    const run = await fetch(`${again.public_host}/execute`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alive.auth_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'print(x)', language: 'python' }),
    });
    expect(run.status).toBe(200);
    expect(((await run.json()) as { stdout: string }).stdout.trim()).toBe('42');

    const p = Sandbox.parse(
      json(await second.app.inject({ url: `/v1/sandboxes/${paused.id}`, headers: second.auth })),
    );
    expect(p.status).toBe('paused');
    const resumed = await second.app.inject({
      method: 'POST',
      url: `/v1/sandboxes/${paused.id}/resume`,
      headers: second.auth,
    });
    expect(json(resumed)).toMatchObject({ status: 'running' });

    const gone = Sandbox.parse(
      json(await second.app.inject({ url: `/v1/sandboxes/${doomed.id}`, headers: second.auth })),
    );
    expect(gone.status).toBe('error');
    expect(gone.error_message).toMatch(/not found after an engine restart/);
  });
});
