// A warm agent runs its execute path once before its socket appears (warmup.ts). That run must
// leave no trace: the first cell a user runs sees the kernel a cold-started agent gives (execution
// count, In/Out, the history), and /metrics counts only the user's runs.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from './testing/harness.ts';

let warm: AgentHandle;
let cold: AgentHandle;
beforeAll(async () => {
  warm = await startAgent();
  cold = await startAgent({ warmPython: false });
});
afterAll(async () => {
  await warm?.close();
  await cold?.close();
});

const PROBE =
  'ip = get_ipython()\n' +
  'print(ip.execution_count, len(In), len(Out), len(list(ip.history_manager.get_range())), repr(_i), repr(_))';

async function cell(agent: AgentHandle): Promise<string> {
  const res = await agent.call('POST', '/execute', { code: PROBE, language: 'python' });
  expect(res.status).toBe(200);
  return res.json<{ stdout: string }>().stdout;
}

async function metrics(agent: AgentHandle): Promise<Record<string, number>> {
  return (await agent.call('GET', '/metrics')).json<Record<string, number>>();
}

describe('agent warm-up', () => {
  it('ran before the socket appeared and left no socket of its own', () => {
    expect(warm.log()).toMatch(/agent warm-up done/);
    expect(cold.log()).not.toMatch(/warm-up/);
    expect(readdirSync(dirname(warm.socket))).not.toContain('agent.sock.warm');
  });

  it('leaves /metrics at zero runs and zero errors', async () => {
    const m = await metrics(warm);
    expect(m.total_executions).toBe(0);
    expect(m.total_errors).toBe(0);
    expect(m.total_requests).toBe((await metrics(cold)).total_requests);
  });

  it("gives the user's first cell the kernel a cold start gives", async () => {
    const first = await cell(warm);
    expect(first).toBe(await cell(cold));
    // A fresh IPython: this is cell 1, In holds '' and this cell, Out is empty, the history holds
    // this cell only.
    expect(first).toMatch(/^1 2 0 1 '' ''\n$/);
    const frames = await warm.stream({ type: 'execute', code: 'print(get_ipython().execution_count)' });
    expect(frames.filter((f) => f.type === 'stdout').map((f) => f.data)).toEqual(['2\n']);
  });

  it('counts only the runs of the user', async () => {
    const m = await metrics(warm);
    expect(m.total_executions).toBe(2);
    expect(m.total_requests).toBe((await metrics(cold)).total_requests);
  });
});
