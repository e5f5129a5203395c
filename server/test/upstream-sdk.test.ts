// The official JavaScript SDK against an engine in upstream mode (decision 0014): the engine sits in
// front of a second real engine playing the cloud; creates go to the cloud (the first upstream is
// the default backend), and every agent call goes through the engine's gateway to the cloud's.
import { Sandbox } from '@hopx-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTemplate } from '../store/templates.ts';
import { newRecord } from '../control-plane/sandbox-service.ts';
import { insertSandbox } from '../store/sandboxes.ts';
import { startEngine, type TestEngine } from './engine.ts';
import { freePort, resolveLocalhostNames } from './host-names.ts';
import { startUpstream, type Upstream } from './upstream-harness.ts';

let cloud: Upstream;
let e: TestEngine;
let baseURL: string;
/** Stopped records in the engine's own store, so `Sandbox.iter` needs more than one page. */
const LOCAL_STOPPED = 110;
const localIds: string[] = [];

beforeAll(async () => {
  cloud = await startUpstream();
  e = await startEngine({ upstreams: [{ name: 'cloud', url: cloud.url, apiKey: cloud.apiKey }] });
  baseURL = await e.listen();
  const t = findTemplate(e.store.db, 'code-interpreter');
  if (!t) throw new Error('no code-interpreter template');
  for (let i = 0; i < LOCAL_STOPPED; i++) {
    const r = newRecord(t, { internet: true, env: {}, isolation: 'bwrap', pool: false });
    insertSandbox(e.store.db, { ...r, status: 'stopped' });
    localIds.push(r.id);
  }
}, 120_000);

afterAll(async () => {
  await e?.dispose();
  await cloud?.dispose();
}, 120_000);

async function engineGet(path: string) {
  const res = await fetch(`${baseURL}${path}`, { headers: e.auth });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('@hopx-ai/sdk against an engine in front of a cloud', () => {
  it('create → runCode (plot) → files → commands → env → streaming → pause/resume → iter → kill', async () => {
    const sbx = await Sandbox.create({
      template: 'code-interpreter',
      apiKey: e.apiKey,
      baseURL,
      envVars: { SDK_GREETING: 'hi-from-upstream' },
      timeoutSeconds: 900,
    });
    // It runs on the cloud, behind the engine's own agent URL and token.
    const mine = await engineGet(`/v1/sandboxes/${sbx.sandboxId}`);
    expect(mine.body.backend).toBe('cloud');
    const theirs = await cloud.call<{ public_host: string; status: string }>(
      'GET',
      `/v1/sandboxes/${sbx.sandboxId}`,
    );
    expect(theirs.status).toBe(200);
    expect(mine.body.public_host).not.toBe(theirs.body.public_host);
    expect((await sbx.getInfo()).status).toBe('running');

    const hello = await sbx.runCode('print("hello from the cloud kernel")');
    expect(hello.success).toBe(true);
    expect(hello.stdout.trim()).toBe('hello from the cloud kernel');

    const plot = await sbx.runCode(
      ['import matplotlib.pyplot as plt', 'plt.plot([1, 2, 3], [1, 4, 9])', 'plt.show()'].join('\n'),
    );
    expect(plot.success).toBe(true);
    const png = plot.richOutputs?.find((o) => o.type === 'image/png')?.data['image/png'] as
      string | undefined;
    expect(
      Buffer.from(png ?? '', 'base64')
        .subarray(1, 4)
        .toString('latin1'),
    ).toBe('PNG');

    await sbx.files.write('/workspace/notes.txt', 'written through two gateways');
    expect(await sbx.files.read('/workspace/notes.txt')).toBe('written through two gateways');
    expect((await sbx.files.list('/workspace')).map((f) => f.name)).toContain('notes.txt');

    const cmd = await sbx.commands.run('echo "$SDK_GREETING" && cat /workspace/notes.txt');
    expect(cmd.stdout).toContain('hi-from-upstream');
    expect(cmd.stdout).toContain('written through two gateways');
    expect(cmd.exit_code).toBe(0);

    await sbx.env.set('SDK_COLOR', 'teal');
    expect(await sbx.env.get('SDK_COLOR')).toBe('teal');
    expect((await sbx.commands.run('echo "$SDK_COLOR"')).stdout.trim()).toBe('teal');

    const streamed: string[] = [];
    const types: string[] = [];
    for await (const m of sbx.runCodeStream('for i in range(3): print("tick", i, flush=True)')) {
      types.push(m.type);
      if (m.type === 'stdout') streamed.push(m.data);
    }
    expect(streamed.join('')).toBe('tick 0\ntick 1\ntick 2\n');
    expect(types.at(-1)).toBe('complete');

    await sbx.runCode('kept_across_pause = 6 * 7');
    await sbx.pause();
    expect((await sbx.getInfo()).status).toBe('paused');
    expect((await cloud.call<{ status: string }>('GET', `/v1/sandboxes/${sbx.sandboxId}`)).body.status).toBe(
      'paused',
    );
    await sbx.resume();
    expect((await sbx.getInfo()).status).toBe('running');
    expect((await sbx.runCode('print(kept_across_pause)')).stdout.trim()).toBe('42');

    // Pagination across backends: the engine's own records first, then the cloud's.
    const seen: string[] = [];
    for await (const s of Sandbox.iter({ apiKey: e.apiKey, baseURL })) seen.push(s.sandboxId);
    expect(seen.length).toBeGreaterThan(100);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, LOCAL_STOPPED).sort()).toEqual([...localIds].sort());
    expect(seen).toContain(sbx.sandboxId);
    // A sandbox found by iter is usable like any other.
    const again = await Sandbox.connect(sbx.sandboxId, e.apiKey, baseURL);
    expect((await again.runCode('print(kept_across_pause + 1)')).stdout.trim()).toBe('43');

    await sbx.kill();
    expect((await engineGet(`/v1/sandboxes/${sbx.sandboxId}`)).status).toBe(404);
    expect((await cloud.call('GET', `/v1/sandboxes/${sbx.sandboxId}`)).status).toBe(404);
  }, 300_000);

  it("under a public URL, an upstream sandbox is reached by host name on the engine's one port", async () => {
    const restore = resolveLocalhostNames();
    const port = await freePort();
    const origin = `http://hopdeck.localhost:${port}`;
    const pub = await startEngine({
      port,
      publicUrl: origin,
      upstreams: [{ name: 'cloud', url: cloud.url, apiKey: cloud.apiKey }],
    });
    try {
      await pub.app.listen({ host: '127.0.0.1', port });
      const sbx = await Sandbox.create({ template: 'code-interpreter', apiKey: pub.apiKey, baseURL: origin });
      expect((await sbx.getInfo()).publicHost).toBe(`http://7777-${sbx.sandboxId}.hopdeck.localhost:${port}`);
      expect((await sbx.runCode('print("by name")')).stdout).toBe('by name\n');
      const out: string[] = [];
      for await (const m of sbx.runCodeStream('print("streamed by name")'))
        if (m.type === 'stdout') out.push(m.data);
      expect(out.join('')).toBe('streamed by name\n');
      await sbx.kill();
      expect((await cloud.call('GET', `/v1/sandboxes/${sbx.sandboxId}`)).status).toBe(404);
    } finally {
      await pub.dispose();
      restore();
    }
  }, 120_000);

  it("a sandbox deleted on the cloud behind the engine's back: the next agent call is a 404, then it is gone", async () => {
    const sbx = await Sandbox.create({ template: 'code-interpreter', apiKey: e.apiKey, baseURL });
    expect((await sbx.runCode('print(1)')).stdout).toBe('1\n');
    const info = await engineGet(`/v1/sandboxes/${sbx.sandboxId}`);
    expect((await cloud.call('DELETE', `/v1/sandboxes/${sbx.sandboxId}`)).status).toBeLessThan(300);
    // The raw call, as the SDK makes it: the envelope, not a cut connection.
    const res = await fetch(`${String(info.body.public_host)}/execute`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${String(info.body.auth_token)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ code: 'print(2)', language: 'python' }),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('SANDBOX_NOT_FOUND');
    expect((await engineGet(`/v1/sandboxes/${sbx.sandboxId}`)).status).toBe(404);
  }, 120_000);
});
