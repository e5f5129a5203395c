// The Python runner (IPython InteractiveShell over framed JSON on fd 3), through the built agent:
// input() over /execute/stream and its one-line failure on /execute, output of subprocesses,
// display MIME types, `_`/`Out`, a cell that writes garbage on the runner's protocol socket, and
// interrupts (stream kill, timeout) that keep the notebook state unless the cell ignores SIGINT.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from './testing/harness.ts';

let agent: AgentHandle;
beforeAll(async () => {
  agent = await startAgent({ warmPython: true });
});
afterAll(async () => {
  await agent?.close();
});

async function run(code: string, timeout = 30) {
  const res = await agent.call('POST', '/execute', { code, language: 'python', timeout });
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

type Frame = Record<string, unknown>;
/** Run `code` over /execute/stream and send {"type":"kill"} when `when` matches a frame. */
function killWhen(code: string, when: (f: Frame) => boolean) {
  return agent.stream({ type: 'execute', code, language: 'python', timeout: 120 }, (ws) => {
    let sent = false;
    ws.on('message', (d) => {
      if (!sent && when(JSON.parse(String(d)) as Frame)) {
        sent = true;
        ws.send(JSON.stringify({ type: 'kill' }));
      }
    });
  });
}
const stderrOf = (frames: Frame[]) =>
  frames
    .filter((f) => f.type === 'stderr')
    .map((f) => String(f.data))
    .join('');

describe('Python runner interrupts', () => {
  it('interrupts a sleeping cell on stream kill with KeyboardInterrupt and keeps the variables', async () => {
    await run('x = 41');
    const frames = await killWhen(
      "import time\nprint('sleeping', flush=True)\ntime.sleep(60)",
      (f) => f.type === 'stdout',
    );
    expect(stderrOf(frames)).toContain('KeyboardInterrupt');
    expect(stderrOf(frames)).not.toMatch(/restarted/);
    expect(frames).toContainEqual(expect.objectContaining({ type: 'error', error: 'Execution killed' }));
    expect(frames.at(-1)).toEqual({ type: 'complete', success: false });
    expect((await run('print(x + 1)')).stdout).toBe('42\n');
  });

  it('keeps the variables when the kill comes right after the start frame', async () => {
    await run('y = 7');
    const frames = await killWhen('import time\ntime.sleep(60)', (f) => f.type === 'start');
    expect(stderrOf(frames)).toContain('KeyboardInterrupt');
    expect((await run('print(y)')).stdout).toBe('7\n');
  });

  it('interrupts a sleeping cell on timeout, says so, and keeps the variables', async () => {
    await run('z = 41');
    const out = await run('import time\ntime.sleep(60)', 1);
    expect(out.success).toBe(false);
    expect(out.error).toMatchObject({ ename: 'TimeoutError' });
    const evalue = (out.error as { evalue: string }).evalue;
    expect(evalue).toContain('interrupted (KeyboardInterrupt)');
    expect(evalue).toContain('state was kept');
    expect((await run('print(z + 1)')).stdout).toBe('42\n');
  });

  it('restarts the runner, saying so, when a cell ignores SIGINT (stream kill and timeout)', async () => {
    const stubborn = 'import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n';
    await run('lost = 1');
    const frames = await killWhen(
      `${stubborn}print('ignoring', flush=True)\ntime.sleep(60)`,
      (f) => f.type === 'stdout',
    );
    expect(stderrOf(frames)).toMatch(/KernelRestarted: .*SIGINT.*restarted and its state is lost/);
    expect((await run("print('lost' in globals())")).stdout).toBe('False\n');
    await run('lost = 1');
    const out = await run(`${stubborn}time.sleep(60)`, 1);
    expect(out.error).toMatchObject({ ename: 'TimeoutError' });
    expect((out.error as { evalue: string }).evalue).toMatch(
      /ignored the interrupt.*restarted.*state is lost/,
    );
    expect((await run("print('lost' in globals())")).stdout).toBe('False\n');
  });
});
