import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorEnvelope, Sandbox, SandboxList } from '../../contract/schemas.ts';
import { json, startEngine, type TestEngine } from './engine.ts';

let e: TestEngine;
beforeAll(async () => {
  e = await startEngine();
});
afterAll(async () => {
  await e?.dispose();
});

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

async function create(payload: Record<string, unknown>) {
  const res = await e.app.inject({ method: 'POST', url: '/v1/sandboxes', headers: e.auth, payload });
  expect(res.statusCode, res.body).toBe(201);
  return Sandbox.parse(json(res));
}

async function agent(s: Sandbox, path: string, init: RequestInit = {}, token = s.auth_token) {
  return fetch(`${s.public_host}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(init.headers ?? {}),
    },
  });
}

const action = (id: string, name: string) =>
  e.app.inject({ method: 'POST', url: `/v1/sandboxes/${id}/${name}`, headers: e.auth });

describe('sandbox lifecycle against the real runtime', () => {
  let s: Sandbox;

  it('creates a running sandbox with a token, env vars applied and a reachable agent', async () => {
    s = await create({
      template_name: 'ubuntu',
      env_vars: { GREETING: 'hello-from-env' },
      timeout_seconds: 3600,
    });
    expect(s.status).toBe('running');
    expect(s.id).toMatch(/^sandbox_[a-z0-9]{16}$/);
    expect(s.public_host).toMatch(/^http:\/\/127\.0\.0\.1:7[56]\d\d$/);
    expect(s.auth_token).toBeTruthy();
    expect(s.token_expires_at).toMatch(ISO);
    expect(s.created_at).toMatch(ISO);
    expect(s.expires_at).toMatch(ISO);
    expect(Date.parse(s.expires_at as string) - Date.parse(s.created_at)).toBeGreaterThanOrEqual(3599_000);
    expect(s.organization_id).toBe(1);
    expect(s.resources).toEqual({ vcpu: 1, memory_mb: 512, disk_mb: 1024 });
    expect(s.isolation).toBe('bwrap');
    expect(s.region).toBe('local');

    const health = await agent(s, '/health');
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('healthy');
    const run = await agent(s, '/commands/run', {
      method: 'POST',
      body: JSON.stringify({ command: 'echo $GREETING' }),
    });
    expect(((await run.json()) as { stdout: string }).stdout.trim()).toBe('hello-from-env');

    const got = Sandbox.parse(json(await e.app.inject({ url: `/v1/sandboxes/${s.id}`, headers: e.auth })));
    expect(got.public_host).toBe(s.public_host);
    expect(got.auth_token).toBe(s.auth_token);
    expect(got.token_expires_at).toBe(s.token_expires_at);
  });

  it('the gateway refuses a forged token and a token of another sandbox', async () => {
    const forged = await agent(s, '/health', {}, `${s.auth_token}x`);
    expect(forged.status).toBe(401);
    const other = await create({ template_name: 'ubuntu' });
    const cross = await agent(s, '/health', {}, other.auth_token);
    expect(cross.status).toBe(401);
    const body = ErrorEnvelope.parse(await cross.json());
    expect(body.code).toMatch(/TOKEN/);
    await e.app.inject({ method: 'DELETE', url: `/v1/sandboxes/${other.id}`, headers: e.auth });
  });

  it('pauses and resumes, keeping processes; invalid transitions answer 409 with the status', async () => {
    const bg = await agent(s, '/commands/run', {
      method: 'POST',
      body: JSON.stringify({ command: 'echo kept > /tmp/marker' }),
    });
    expect(bg.status).toBe(200);
    const paused = await action(s.id, 'pause');
    expect(paused.statusCode).toBe(200);
    expect(json(paused)).toMatchObject({ id: s.id, status: 'paused' });
    const again = await action(s.id, 'pause');
    expect(again.statusCode).toBe(409);
    expect(ErrorEnvelope.parse(json(again))).toMatchObject({ code: 'CONFLICT', status: 'paused' });
    const whilePaused = await agent(s, '/health');
    expect(whilePaused.status).toBeGreaterThanOrEqual(400);
    expect(ErrorEnvelope.parse(await whilePaused.json()).message).toMatch(/paused/i);

    expect(json(await action(s.id, 'resume'))).toMatchObject({ status: 'running' });
    const read = await agent(s, '/files/read?path=/tmp/marker');
    expect(((await read.json()) as { content: string }).content.trim()).toBe('kept');
    expect((await action(s.id, 'resume')).statusCode).toBe(409);
    expect((await action(s.id, 'start')).statusCode).toBe(409);
  });

  it('stops and starts again on the same files', async () => {
    await agent(s, '/files/write', {
      method: 'POST',
      body: JSON.stringify({ path: '/workspace/keep.txt', content: 'still here' }),
    });
    const stopped = await action(s.id, 'stop');
    expect(json(stopped)).toMatchObject({ status: 'stopped' });
    expect((await action(s.id, 'pause')).statusCode).toBe(409);
    expect((await action(s.id, 'stop')).statusCode).toBe(409);
    const started = await action(s.id, 'start');
    expect(started.statusCode, started.body).toBe(200);
    expect(json(started)).toMatchObject({ status: 'running' });
    const read = await agent(s, '/files/read?path=/workspace/keep.txt');
    expect(((await read.json()) as { content: string }).content).toBe('still here');
  });

  it('lists the runs the gateway recorded, newest first, one by id', async () => {
    for (const code of ['echo first', 'echo second']) {
      const r = await agent(s, '/execute', {
        method: 'POST',
        body: JSON.stringify({ code, language: 'bash' }),
      });
      expect(r.status).toBe(200);
    }
    const res = await e.app.inject({ url: `/v1/sandboxes/${s.id}/executions?limit=1`, headers: e.auth });
    const page = json<{ data: { id: string; code: string; stdout: string }[]; next_cursor: string | null }>(
      res,
    );
    expect(page.data).toHaveLength(1);
    expect(page.data[0]?.code).toBe('echo second');
    expect(page.data[0]?.stdout.trim()).toBe('second');
    const next = json<{ data: { code: string }[] }>(
      await e.app.inject({
        url: `/v1/sandboxes/${s.id}/executions?limit=1&cursor=${page.next_cursor}`,
        headers: e.auth,
      }),
    );
    expect(next.data[0]?.code).toBe('echo first');
    const one = await e.app.inject({
      url: `/v1/sandboxes/${s.id}/executions/${page.data[0]?.id}`,
      headers: e.auth,
    });
    expect(json(one).code).toBe('echo second');
    const summary = json<{ data: { code: string; stdout: string; rich_outputs: unknown[] }[] }>(
      await e.app.inject({ url: `/v1/sandboxes/${s.id}/executions?fields=summary`, headers: e.auth }),
    );
    expect(summary.data.map((x) => x.code)).toEqual(['echo second', 'echo first']);
    expect(summary.data[0]).toMatchObject({ stdout: 'second\n', rich_outputs: [] });
    const badFields = await e.app.inject({
      url: `/v1/sandboxes/${s.id}/executions?fields=everything`,
      headers: e.auth,
    });
    expect(badFields.statusCode).toBe(400);
    const bad = await e.app.inject({ url: `/v1/sandboxes/${s.id}/executions?cursor=zzz`, headers: e.auth });
    expect(bad.statusCode).toBe(400);
    const missing = await e.app.inject({
      url: `/v1/sandboxes/${s.id}/executions/exec_nope`,
      headers: e.auth,
    });
    expect(missing.statusCode).toBe(404);
  });

  it('refreshes the token and moves the deadline', async () => {
    const r = await e.app.inject({
      method: 'POST',
      url: `/v1/sandboxes/${s.id}/token/refresh`,
      headers: e.auth,
    });
    const t = json<{ auth_token: string; token_expires_at: string }>(r);
    expect(t.token_expires_at).toMatch(ISO);
    expect((await agent(s, '/health', {}, t.auth_token)).status).toBe(200);
    // GET shows the current token (the dashboard's token card and run pane use it), stable between refreshes.
    for (let i = 0; i < 2; i++) {
      const got = json<{ auth_token: string; token_expires_at: string }>(
        await e.app.inject({ url: `/v1/sandboxes/${s.id}`, headers: e.auth }),
      );
      expect(got).toMatchObject({ auth_token: t.auth_token, token_expires_at: t.token_expires_at });
    }
    const listed = json<{ data: Record<string, unknown>[] }>(
      await e.app.inject({ url: '/v1/sandboxes', headers: e.auth }),
    );
    expect(listed.data.every((x) => !('auth_token' in x))).toBe(true);

    const before = Date.now();
    const put = await e.app.inject({
      method: 'PUT',
      url: `/v1/sandboxes/${s.id}/timeout`,
      headers: e.auth,
      payload: { timeout_seconds: 600 },
    });
    const body = json<{ expires_at: string; timeout_seconds: number }>(put);
    expect(body.timeout_seconds).toBe(600);
    expect(Math.abs(Date.parse(body.expires_at) - (before + 600_000))).toBeLessThan(2000);
    const bad = await e.app.inject({
      method: 'PUT',
      url: `/v1/sandboxes/${s.id}/timeout`,
      headers: e.auth,
      payload: { timeout_seconds: -5 },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('deletes: tombstone, runtime gone, 404 with details.status deleted, hidden from the list', async () => {
    const del = await e.app.inject({ method: 'DELETE', url: `/v1/sandboxes/${s.id}`, headers: e.auth });
    expect(json(del)).toMatchObject({ id: s.id, status: 'deleted' });
    const got = await e.app.inject({ url: `/v1/sandboxes/${s.id}`, headers: e.auth });
    expect(got.statusCode).toBe(404);
    expect(json<{ details: { status: string } }>(got).details.status).toBe('deleted');
    expect(await e.runtime.observe(s.id, null)).toBe('missing');
    const list = SandboxList.parse(json(await e.app.inject({ url: '/v1/sandboxes', headers: e.auth })));
    expect(list.data.map((x) => x.id)).not.toContain(s.id);
    const deleted = SandboxList.parse(
      json(await e.app.inject({ url: '/v1/sandboxes?status=deleted', headers: e.auth })),
    );
    expect(deleted.data.map((x) => x.id)).toContain(s.id);
    await expect(fetch(`${s.public_host}/health`)).rejects.toThrow();
    expect((await action(s.id, 'start')).statusCode).toBe(404);
  });

  it('deletes a sandbox at its deadline', async () => {
    const t = await create({ template_name: 'ubuntu', timeout_seconds: 2 });
    const deadline = Date.now() + 15_000;
    let status = 200;
    while (Date.now() < deadline) {
      status = (await e.app.inject({ url: `/v1/sandboxes/${t.id}`, headers: e.auth })).statusCode;
      if (status === 404) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(404);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(t.expires_at as string));
    expect(await e.runtime.observe(t.id, null)).toBe('missing');
  });

  it('creates from template_id and refuses internet_access of the wrong type', async () => {
    const byId = await create({ template_id: 'template_ubuntu', internet_access: false });
    expect(byId.template_name).toBe('ubuntu');
    expect(byId.internet_access).toBe(false);
    const killed = await e.app.inject({
      method: 'POST',
      url: `/v1/sandboxes/${byId.id}/kill`,
      headers: e.auth,
    });
    expect(json(killed)).toMatchObject({ id: byId.id, status: 'killed' });
    expect((await e.app.inject({ url: `/v1/sandboxes/${byId.id}`, headers: e.auth })).statusCode).toBe(404);
    const bad = await e.app.inject({
      method: 'POST',
      url: '/v1/sandboxes',
      headers: e.auth,
      payload: { template_name: 'ubuntu', internet_access: 'yes' },
    });
    expect(bad.statusCode).toBe(400);
  });
});
