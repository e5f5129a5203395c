/**
 * The official SDK's streaming run through the whole engine (control plane, bwrap runtime, this
 * gateway, agent, kernel), and the run history it leaves in the store, read back through /v1.
 */
import { Sandbox } from '@hopx-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../contract/schemas.ts';
import { startEngine, type TestEngine } from '../test/engine.ts';

// Agent ports of its own, outside startEngine's 7500-7699 and the upstream harness's 7700-7799.
let e: TestEngine;
let baseURL: string;
beforeAll(async () => {
  e = await startEngine({ warmPool: 0, agentPorts: [7900, 7919] });
  baseURL = await e.listen();
});
afterAll(async () => {
  await e?.dispose();
});

describe('@hopx-ai/sdk streaming through the gateway', () => {
  it('streams stdout and stderr in order and records the run with the agent execution id', async () => {
    const sbx = await Sandbox.create({ template: 'code-interpreter', apiKey: e.apiKey, baseURL });
    const info = await sbx.getInfo();
    expect(info.publicHost).toMatch(/^http:\/\/127\.0\.0\.1:79[01]\d$/);

    const code =
      'import sys, time\nfor i in range(3):\n  print(i, flush=True)\n  time.sleep(0.05)\nprint("oops", file=sys.stderr)';
    const seen: { type: string; data?: string }[] = [];
    for await (const msg of sbx.runCodeStream(code)) seen.push(msg as { type: string; data?: string });
    const stdout = seen
      .filter((m) => m.type === 'stdout')
      .map((m) => m.data)
      .join('');
    expect(stdout).toBe('0\n1\n2\n');
    expect(
      seen
        .filter((m) => m.type === 'stderr')
        .map((m) => m.data)
        .join(''),
    ).toBe('oops\n');
    expect(seen.at(-1)?.type).toBe('complete');
    const startId = (seen.find((m) => m.type === 'start') as { execution_id?: string } | undefined)
      ?.execution_id;

    const list = async () => {
      const res = await fetch(`${baseURL}/v1/sandboxes/${sbx.sandboxId}/executions`, { headers: e.auth });
      return ((await res.json()) as { data: Execution[] }).data;
    };
    await expect.poll(async () => (await list()).find((x) => x.code === code)?.status).toBe('completed');
    const run = (await list()).find((x) => x.code === code) as Execution;
    expect(run).toMatchObject({ language: 'python', stdout: '0\n1\n2\n', stderr: 'oops\n', exit_code: 0 });
    expect(startId).toMatch(/^exec_/);
    expect(run.id).toBe(startId);
    await sbx.kill();
  });
});
