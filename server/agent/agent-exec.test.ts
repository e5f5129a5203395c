// The agent's execute API over its real unix socket: python (warm Jupyter kernel), javascript,
// bash, rich outputs, errors, timeouts, env and the HopX error envelope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from './testing/harness.ts';

let agent: AgentHandle;
beforeAll(async () => {
  agent = await startAgent();
});
afterAll(async () => {
  await agent?.close();
});

type Result = Record<string, unknown> & {
  stdout: string;
  stderr: string;
  success: boolean;
  exit_code: number;
};
async function run(body: Record<string, unknown>): Promise<Result> {
  const res = await agent.call('POST', '/execute', body);
  expect(res.status).toBe(200);
  return res.json<Result>();
}

describe('agent /execute', () => {
  it('answers /health with status healthy', async () => {
    const res = await agent.call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.json().status).toBe('healthy');
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('keeps Python state between runs, like a notebook', async () => {
    const first = await run({ code: 'counter = 40\nprint("set")', language: 'python' });
    expect(first).toMatchObject({ success: true, stdout: 'set\n', exit_code: 0, language: 'python' });
    expect(String(first.execution_id)).toMatch(/^exec_/);
    const second = await run({ code: 'counter += 2\nprint(counter)' });
    expect(second.stdout).toBe('42\n');
    const ipython = await agent.call('POST', '/execute/ipython', { code: 'print(counter + 1)' });
    expect(ipython.json()).toMatchObject({ stdout: '43\n', success: true });
    // Notebook history in the session: the last result is `_`, and Out keeps earlier ones.
    expect((await run({ code: '6 * 7' })).result).toBe('42');
    expect((await run({ code: 'print(_ + 1, len(Out) > 0)' })).stdout).toBe('43 True\n');
  });

  it('returns a matplotlib figure as image/png from the kernel', async () => {
    const res = await run({ code: 'import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()' });
    expect(res.success).toBe(true);
    const outputs = res.rich_outputs as { type: string; format: string; data: string }[];
    const png = outputs.find((o) => o.type === 'image/png');
    expect(png?.format).toBe('base64');
    const bytes = Buffer.from(png!.data, 'base64');
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(res.png).toBe(png!.data);
  });

  it('returns a pandas DataFrame as text/html', async () => {
    const res = await run({
      code: 'import pandas as pd\npd.DataFrame({"city": ["Oslo", "Lima"], "n": [1, 2]})',
    });
    const html = (res.rich_outputs as { type: string; data: string }[]).find((o) => o.type === 'text/html');
    expect(html?.data).toContain('<table');
    expect(html?.data).toContain('Lima');
    expect(res.html).toBe(html?.data);
  });

  it('reports a Python exception as success:false with the traceback, HTTP 200', async () => {
    const res = await run({ code: 'def f():\n    return 1 / 0\nf()' });
    expect(res.success).toBe(false);
    expect(res.exit_code).toBe(1);
    const error = res.error as { ename: string; evalue: string; traceback: string[] };
    expect(error.ename).toBe('ZeroDivisionError');
    expect(error.evalue).toContain('division by zero');
    expect(error.traceback.join('\n')).toContain('ZeroDivisionError');
    expect(res.stderr).toContain('ZeroDivisionError');
  });

  it('interrupts a Python cell on timeout and keeps the kernel state', async () => {
    await run({ code: 'kept = "still here"' });
    const started = Date.now();
    const res = await run({ code: 'import time\ntime.sleep(30)', timeout: 1 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(res).toMatchObject({ success: false, exit_code: 124, timed_out: true });
    expect((res.error as { ename: string }).ename).toBe('TimeoutError');
    expect((await run({ code: 'print(kept)' })).stdout).toBe('still here\n');
  });

  it('survives a cell that kills the kernel, or ignores the interrupt, by restarting it', async () => {
    const died = await run({ code: 'import os\nos._exit(1)' });
    expect(died.success).toBe(false);
    expect((died.error as { ename: string }).ename).toBe('KernelDied');
    expect((await run({ code: 'print("back")' })).stdout).toBe('back\n');
    const stubborn = await run({
      code: 'import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(60)',
      timeout: 1,
    });
    expect(stubborn).toMatchObject({ success: false, exit_code: 124 });
    expect(String((stubborn.error as { evalue: string }).evalue)).toContain('restarted');
    expect((await run({ code: 'print("again")' })).stdout).toBe('again\n');
  });

  it('runs JavaScript and Bash as processes with exit codes, env and workdir', async () => {
    const js = await run({ code: 'console.log(6 * 7); console.error("warn")', language: 'javascript' });
    expect(js).toMatchObject({ success: true, stdout: '42\n', stderr: 'warn\n', exit_code: 0 });
    const node = await run({ code: 'process.exit(3)', language: 'node' });
    expect(node).toMatchObject({ success: false, exit_code: 3 });
    await agent.call('POST', '/files/mkdir', { path: '/workspace/sub' });
    const sh = await run({
      code: 'echo "$GREETING from $(basename "$PWD")"; exit 5',
      language: 'bash',
      env: { GREETING: 'hi' },
      workdir: '/workspace/sub',
    });
    expect(sh).toMatchObject({ success: false, stdout: 'hi from sub\n', exit_code: 5 });
  });

  it('restarts the kernel on POST /kernel/restart, clearing state', async () => {
    await run({ code: 'doomed = 1' });
    const res = await agent.call('POST', '/kernel/restart');
    expect(res.status).toBe(200);
    const after = await run({ code: 'print(doomed)' });
    expect((after.error as { ename: string }).ename).toBe('NameError');
  });

  it('rejects bad input with the HopX envelope', async () => {
    const badJson = await agent.call('POST', '/execute', '{"code": ');
    expect(badJson.status).toBe(400);
    expect(badJson.json()).toMatchObject({ code: 'INVALID_JSON' });
    const lang = await agent.call('POST', '/execute', { code: '1', language: 'cobol' });
    expect(lang.status).toBe(400);
    const body = lang.json();
    expect(body).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(body.message).toBe(body.error);
    expect(String(body.request_id)).toBeTruthy();
    const noCode = await agent.call('POST', '/execute', { language: 'python' });
    expect(noCode.json()).toMatchObject({ code: 'INVALID_REQUEST' });
    const rel = await agent.call('POST', '/execute', {
      code: 'pwd',
      language: 'bash',
      workdir: 'relative/dir',
    });
    expect(rel.json()).toMatchObject({ code: 'INVALID_PATH' });
    const unknown = await agent.call('GET', '/no/such/route');
    expect(unknown.status).toBe(404);
  });
});
