import { loadavg } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../../contract/schemas.ts';
import { json, startEngine, type TestEngine } from './engine.ts';

let e: TestEngine;
beforeAll(async () => {
  e = await startEngine({ warmPool: 1 });
});
afterAll(async () => {
  await e?.dispose();
});

async function waitReady(template: string, timeoutMs = 120_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ids = e.app.engine.pool.readyIds(template);
    if (ids.length > 0) return ids;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`warm pool for ${template} never became ready`);
}

async function create(payload: Record<string, unknown>) {
  const t0 = performance.now();
  const res = await e.app.inject({ method: 'POST', url: '/v1/sandboxes', headers: e.auth, payload });
  const ms = performance.now() - t0;
  expect(res.statusCode, res.body).toBe(201);
  return { s: Sandbox.parse(json(res)), ms };
}

// Spares boot in the background, one at a time; on a busy 2-core machine that takes a while.
describe('warm pool', { timeout: 180_000 }, () => {
  it('is invisible in the API until claimed', async () => {
    const ready = await waitReady('code-interpreter');
    const list = json<{ data: Sandbox[] }>(await e.app.inject({ url: '/v1/sandboxes', headers: e.auth }));
    expect(list.data.map((s) => s.id)).not.toContain(ready[0]);
    const got = await e.app.inject({ url: `/v1/sandboxes/${ready[0]}`, headers: e.auth });
    expect(got.statusCode).toBe(404);
  });

  it("opens a spare's gateway port ahead of the claim, but serves nothing on it until then", async () => {
    const [spare] = await waitReady('code-interpreter');
    const { port } = e.app.engine.svc.deps.db
      .prepare('SELECT port FROM sandboxes WHERE id = ?')
      .get(spare) as {
      port: number | null;
    };
    expect(port).toBeGreaterThan(0);
    // Someone scanning the port range finds the spare's listener and nothing behind it: refused
    // without a token, and not found even with one signed for its id (none is ever issued for it
    // before the claim).
    const signed = await e.app.engine.svc.deps.tokens.issue(spare as string);
    const call = (headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${port}/execute`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'print(1)', language: 'python' }),
      });
    expect((await call({})).status).toBe(401);
    const res = await call({ authorization: `Bearer ${signed.token}` });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'SANDBOX_NOT_FOUND' });
    const { s } = await create({ template_name: 'code-interpreter' });
    expect(s.id).toBe(spare);
    expect(new URL(s.public_host).port).toBe(String(port));
    const py = await fetch(`${s.public_host}/execute`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.auth_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'print(6 * 7)', language: 'python' }),
    });
    expect(((await py.json()) as { stdout: string }).stdout).toBe('42\n');
  });

  it('never hands out a spare whose processes are gone', async () => {
    const [spare] = await waitReady('code-interpreter');
    // The spare dies behind the pool's back (as an OOM kill or a crash would leave it).
    await e.app.engine.svc.deps.runtime.stop(spare as string);
    const { s } = await create({ template_name: 'code-interpreter' });
    expect(s.id).not.toBe(spare);
    const py = await fetch(`${s.public_host}/execute`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.auth_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'print(2 + 3)', language: 'python' }),
    });
    expect(((await py.json()) as { stdout: string }).stdout).toBe('5\n');
    const dead = await e.app.inject({ url: `/v1/sandboxes/${spare}`, headers: e.auth });
    expect(dead.statusCode).toBe(404);
  });

  it('serves a create from a warm sandbox, applies env vars, and refills', async () => {
    const times: number[] = [];
    for (let i = 0; i < 2; i++) {
      const [spare] = await waitReady('code-interpreter');
      const { s, ms } = await create({
        template_name: 'code-interpreter',
        env_vars: { RUN_NO: String(i) },
        timeout_seconds: 600,
      });
      times.push(ms);
      expect(s.id).toBe(spare);
      expect(s.status).toBe('running');
      expect(s.expires_at).not.toBeNull();
      const cmd = await fetch(`${s.public_host}/commands/run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.auth_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ command: 'echo $RUN_NO' }),
      });
      expect(((await cmd.json()) as { stdout: string }).stdout.trim()).toBe(String(i));
      const py = await fetch(`${s.public_host}/execute`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.auth_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'import os; print(os.environ.get("RUN_NO"))', language: 'python' }),
      });
      expect(((await py.json()) as { stdout: string }).stdout.trim()).toBe(String(i));
      const listed = json<{ data: Sandbox[] }>(await e.app.inject({ url: '/v1/sandboxes', headers: e.auth }));
      expect(listed.data.map((x) => x.id)).toContain(s.id);
    }
    times.sort((a, b) => a - b);
    console.log(
      `warm create ms: ${times.map((t) => t.toFixed(1)).join(', ')} (machine load ${loadavg()[0]?.toFixed(1)})`,
    );
  });

  it('boots a fresh sandbox for settings the pool was not built with', async () => {
    const [spare] = await waitReady('code-interpreter');
    const { s } = await create({ template_name: 'code-interpreter', internet_access: false });
    expect(s.id).not.toBe(spare);
    expect(s.internet_access).toBe(false);
    expect(e.app.engine.pool.readyIds('code-interpreter')).toContain(spare);
  });

  it('destroys the spares when the engine stops', async () => {
    const [spare] = await waitReady('code-interpreter');
    await e.stop();
    expect(await e.runtime.observe(spare as string, null)).toBe('missing');
  });
});
