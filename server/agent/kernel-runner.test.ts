// The Python runner (IPython InteractiveShell over framed JSON on fd 3), through the built agent:
// input() over /execute/stream and its one-line failure on /execute, output of subprocesses,
// display MIME types, `_`/`Out`, and a cell that writes garbage on the runner's protocol socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from './testing/harness.ts';

let agent: AgentHandle;
beforeAll(async () => {
  agent = await startAgent({ warmPython: true });
});
afterAll(async () => {
  await agent?.close();
});

async function run(code: string) {
  const res = await agent.call('POST', '/execute', { code, language: 'python', timeout: 30 });
  expect(res.status).toBe(200);
  return res.json<{
    success: boolean;
    stdout: string;
    stderr: string;
    error?: { ename: string; evalue: string; traceback: string[] } | string;
    rich_outputs: { type: string; data: unknown }[];
  }>();
}

describe('Python runner', () => {
  it('asks the stream client for input() and gives the cell its answer', async () => {
    const code = "name = input('Name? ')\nprint('hello', name)";
    const frames = await agent.stream({ type: 'execute', code, language: 'python' }, (ws) => {
      ws.on('message', (d) => {
        const f = JSON.parse(String(d)) as { type: string; prompt?: string };
        if (f.type === 'input_request') ws.send(JSON.stringify({ type: 'input', value: 'Ada' }));
      });
    });
    const request = frames.find((f) => f.type === 'input_request');
    expect(request).toMatchObject({ prompt: 'Name? ', password: false });
    const stdout = frames
      .filter((f) => f.type === 'stdout')
      .map((f) => String(f.data))
      .join('');
    expect(stdout).toBe('Name? Ada\nhello Ada\n');
    expect(frames.at(-1)).toEqual({ type: 'complete', success: true });
    // The notebook state saw the answer.
    expect((await run('print(name)')).stdout).toBe('Ada\n');
  });

  it('fails input() on plain /execute with one clear line, not a traceback', async () => {
    const out = await run("input('x? ')");
    expect(out.success).toBe(false);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/input\(\) needs an interactive client.*\/execute\/stream/);
  });

  it('forwards output of subprocesses and C code in order with prints', async () => {
    const out = await run("import os\nprint('a', flush=True)\nos.system('echo b')\nprint('c')");
    expect(out.stdout).toBe('a\nb\nc\n');
  });

  it('keeps _ and Out, and sends svg, markdown and json displays', async () => {
    await run('6 * 7');
    expect((await run('print(_, Out[max(Out)])')).stdout).toBe('42 42\n');
    const out = await run(
      [
        'from IPython.display import SVG, Markdown, JSON, display',
        'display(SVG(\'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\'))',
        "display(Markdown('# title'))",
        "display(JSON({'a': 1}))",
      ].join('\n'),
    );
    expect(out.rich_outputs.map((r) => r.type)).toEqual([
      'image/svg+xml',
      'text/markdown',
      'application/json',
    ]);
    expect(out.rich_outputs[2]?.data).toEqual({ a: 1 });
  });

  it('survives a cell that writes garbage on its protocol socket', async () => {
    await run('kept = 1');
    // fd 3 is close-on-exec for subprocesses, but the cell itself can reach it.
    const out = await run(
      "import os\nos.write(3, b'\\xff\\xff\\xff\\xffgarbage')\nimport time; time.sleep(5)",
    );
    expect(out.success).toBe(false);
    expect(JSON.stringify(out.error)).toMatch(/KernelDied|died/);
    const after = await run("print('alive', 'kept' in globals())");
    expect(after.stdout).toBe('alive False\n');
  });
});
