/**
 * The sandbox log stream and the metrics history (decision 0011) against the real engine, including
 * a log file a hostile party replaced by a symlink or a device, and huge lines.
 */
import { appendFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../../contract/schemas.ts';
import { openLogStreams } from '../control-plane/routes/logs.ts';
import { json, startEngine, type TestEngine } from './engine.ts';

let e: TestEngine;
let base: string;
let s: Sandbox;
let other: Sandbox;

async function create(): Promise<Sandbox> {
  const res = await e.app.inject({
    method: 'POST',
    url: '/v1/sandboxes',
    headers: e.auth,
    payload: { template_name: 'code-interpreter' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return Sandbox.parse(json(res));
}

const get = (url: string) => e.app.inject({ url, headers: e.auth });
const logFile = (id: string) => join(e.dataDir, 'sandboxes', id, 'agent.log');

beforeAll(async () => {
  e = await startEngine();
  base = await e.listen();
  [s, other] = await Promise.all([create(), create()]);
});
afterAll(async () => {
  await e?.dispose();
});

describe('sandbox logs', () => {
  it('shows what a command wrote to the sandbox log, also while following', async () => {
    const stream = await fetch(`${base}/v1/sandboxes/${s.id}/logs?follow=true&tail=0`, { headers: e.auth });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const run = await fetch(`${s.public_host}/commands/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.auth_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        command: 'bash',
        args: ['-c', 'echo marker-from-a-command > /run/hopdeck/log'],
      }),
    });
    expect(run.status).toBe(200);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    let seen = '';
    while (!seen.includes('marker-from-a-command')) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    expect(openLogStreams()).toBe(1);
    await reader.cancel();
    await expect.poll(() => openLogStreams()).toBe(0);
    expect(seen).toMatch(/event: log\ndata: ".*marker-from-a-command/);
    const text = await get(`/v1/sandboxes/${s.id}/logs`);
    expect(text.statusCode).toBe(200);
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    expect(text.body).toContain('agent listening on');
    expect(text.body).toContain('marker-from-a-command');
    const dl = await get(`/v1/sandboxes/${s.id}/logs?download=true`);
    expect(dl.headers['content-disposition']).toBe(`attachment; filename="${s.id}.log"`);
  });

  it('bounds huge lines and refuses bad parameters and unknown sandboxes', async () => {
    appendFileSync(logFile(other.id), `${'x'.repeat(5 * 1024 * 1024)}\nafter-the-huge-line\n`);
    const res = await get(`/v1/sandboxes/${other.id}/logs?tail=1048576`);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.length).toBeLessThanOrEqual(1024 * 1024);
    expect(res.body).toContain('after-the-huge-line');
    expect((await get(`/v1/sandboxes/${other.id}/logs`)).rawPayload.length).toBeLessThanOrEqual(64 * 1024);
    for (const q of ['tail=-1', 'tail=abc', `tail=${2 * 1024 * 1024}`, 'follow=maybe']) {
      expect((await get(`/v1/sandboxes/${other.id}/logs?${q}`)).statusCode, q).toBe(400);
    }
    expect((await get('/v1/sandboxes/sandbox_0000000000000000/logs')).statusCode).toBe(404);
    expect((await get('/v1/sandboxes/..%2F..%2Fetc/logs')).statusCode).toBe(404);
    expect((await e.app.inject({ url: `/v1/sandboxes/${s.id}/logs` })).statusCode).toBe(401);
  });

  it('never follows a log replaced by a symlink or a device', async () => {
    const file = logFile(other.id);
    renameSync(file, `${file}.real`);
    try {
      symlinkSync('/etc/hostname', file);
      const link = await get(`/v1/sandboxes/${other.id}/logs`);
      expect(link.statusCode).toBe(409);
      expect(json(link)).toMatchObject({ code: 'LOG_UNAVAILABLE' });
      rmSync(file);
      execFileSync('mknod', [file, 'c', '1', '3']); // a character device (/dev/null's numbers)
      const dev = await get(`/v1/sandboxes/${other.id}/logs?follow=true`);
      expect(dev.statusCode).toBe(409);
      expect(json(dev)).toMatchObject({ code: 'LOG_UNAVAILABLE' });
    } finally {
      rmSync(file, { force: true });
      renameSync(`${file}.real`, file);
    }
  });
});

describe('sandbox metrics', () => {
  it('keeps a history with memory in use, from boot', async () => {
    const res = await get(`/v1/sandboxes/${s.id}/metrics`);
    expect(res.statusCode, res.body).toBe(200);
    const body = json<{ interval_seconds: number; samples: { t: number; memory_bytes: number }[] }>(res);
    expect(body.interval_seconds).toBe(5);
    expect(body.samples.length).toBeGreaterThan(0);
    expect(body.samples.at(-1)?.memory_bytes).toBeGreaterThan(0);
    const last = body.samples.at(-1)?.t ?? 0;
    const since = json<{ samples: { t: number }[] }>(
      await get(`/v1/sandboxes/${s.id}/metrics?since=${last}`),
    );
    expect(since.samples.every((x) => x.t > last)).toBe(true);
    expect((await get(`/v1/sandboxes/${s.id}/metrics?since=-1`)).statusCode).toBe(400);
  });

  it('answers the list’s batch request with the running sandboxes only', async () => {
    const res = await get(`/v1/sandboxes/metrics?ids=${s.id},${other.id},sandbox_0000000000000000`);
    expect(res.statusCode, res.body).toBe(200);
    const data = json<{ data: { id: string; memory_bytes: number }[] }>(res).data;
    expect(data.map((d) => d.id).sort()).toEqual([s.id, other.id].sort());
    expect(data.every((d) => d.memory_bytes > 0)).toBe(true);
    expect((await get('/v1/sandboxes/metrics')).statusCode).toBe(400);
    expect((await get('/v1/sandboxes/metrics?ids=../x')).statusCode).toBe(400);
    const many = Array.from({ length: 101 }, (_, i) => `sandbox_${String(i).padStart(16, '0')}`).join(',');
    expect((await get(`/v1/sandboxes/metrics?ids=${many}`)).statusCode).toBe(400);
    await e.app.inject({ method: 'POST', url: `/v1/sandboxes/${other.id}/pause`, headers: e.auth });
    const paused = await get(`/v1/sandboxes/${other.id}/metrics`);
    expect(paused.statusCode).toBe(409);
    expect(json(paused)).toMatchObject({ code: 'SANDBOX_PAUSED' });
    const batch = json<{ data: { id: string }[] }>(
      await get(`/v1/sandboxes/metrics?ids=${s.id},${other.id}`),
    );
    expect(batch.data.map((d) => d.id)).toEqual([s.id]);
  });
});
