// The official JavaScript SDK is the judge of compatibility: it drives the real engine (control
// plane, runtime with bubblewrap, gateway, agent, Jupyter kernel) over loopback HTTP.
import { Sandbox } from '@hopx-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type TestEngine } from './engine.ts';

let e: TestEngine;
let baseURL: string;
beforeAll(async () => {
  e = await startEngine({ warmPool: 0 });
  baseURL = await e.listen();
});
afterAll(async () => {
  await e?.dispose();
});

describe('@hopx-ai/sdk against the engine', () => {
  it('create → runCode (stdout, matplotlib PNG) → files → commands → env → pause/resume → kill', async () => {
    const sbx = await Sandbox.create({
      template: 'code-interpreter',
      apiKey: e.apiKey,
      baseURL,
      envVars: { SDK_GREETING: 'hi-from-sdk' },
      timeoutSeconds: 900,
    });
    expect(sbx.sandboxId).toMatch(/^sandbox_/);
    const info = await sbx.getInfo();
    expect(info.status).toBe('running');

    const hello = await sbx.runCode('print("hello from the kernel")');
    expect(hello.success).toBe(true);
    expect(hello.stdout.trim()).toBe('hello from the kernel');

    const plot = await sbx.runCode(
      [
        'import matplotlib',
        'import matplotlib.pyplot as plt',
        'plt.plot([1, 2, 3], [1, 4, 9])',
        'plt.show()',
      ].join('\n'),
    );
    expect(plot.success).toBe(true);
    const pngOutput = plot.richOutputs?.find((o) => o.type === 'image/png');
    const png = pngOutput?.data['image/png'] as string | undefined;
    expect(png).toBeTruthy();
    expect(
      Buffer.from(png as string, 'base64')
        .subarray(1, 4)
        .toString('latin1'),
    ).toBe('PNG');

    await sbx.files.write('/workspace/notes.txt', 'written by the sdk');
    expect(await sbx.files.read('/workspace/notes.txt')).toBe('written by the sdk');
    const listing = await sbx.files.list('/workspace');
    expect(listing.map((f) => f.name)).toContain('notes.txt');

    const cmd = await sbx.commands.run('echo "$SDK_GREETING" && cat /workspace/notes.txt');
    expect(cmd.stdout).toContain('hi-from-sdk');
    expect(cmd.stdout).toContain('written by the sdk');
    expect(cmd.exit_code).toBe(0);

    await sbx.env.set('SDK_COLOR', 'teal');
    expect(await sbx.env.get('SDK_COLOR')).toBe('teal');
    const envCmd = await sbx.commands.run('echo "$SDK_COLOR"');
    expect(envCmd.stdout.trim()).toBe('teal');

    await sbx.runCode('kept_across_pause = 6 * 7');
    await sbx.pause();
    expect((await sbx.getInfo()).status).toBe('paused');
    await sbx.resume();
    expect((await sbx.getInfo()).status).toBe('running');
    const after = await sbx.runCode('print(kept_across_pause)');
    expect(after.stdout.trim()).toBe('42');

    // The gateway recorded the runs in the history.
    const history = await fetch(`${baseURL}/v1/sandboxes/${sbx.sandboxId}/executions`, {
      headers: { 'x-api-key': e.apiKey },
    });
    const runs = (await history.json()) as { data: { code: string; status: string }[] };
    expect(runs.data.some((r) => r.code.includes('kept_across_pause = 6 * 7'))).toBe(true);

    await sbx.kill();
    const gone = await fetch(`${baseURL}/v1/sandboxes/${sbx.sandboxId}`, {
      headers: { 'x-api-key': e.apiKey },
    });
    expect(gone.status).toBe(404);
    expect(await e.runtime.observe(sbx.sandboxId, null)).toBe('missing');
  });
});
