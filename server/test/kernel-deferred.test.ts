// The Python runner defers modules IPython imports but uses only later (bridge.py: asyncio,
// pydoc, stack_data, urllib.request, logging.config) to start faster. What a notebook user relies
// on must not change: the first traceback is IPython's full one, top-level `await` works, and
// their own imports of those modules get the real modules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '../agent/testing/harness.ts';

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
    error?: { ename: string; evalue: string; traceback: string[] };
  }>();
}

// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('Python runner with deferred imports', () => {
  it('shows the first traceback in full, with the failing line of each frame', async () => {
    const out = await run("def f():\n    raise ValueError('deep')\n\nf()");
    expect(out.success).toBe(false);
    expect(out.error).toMatchObject({ ename: 'ValueError', evalue: 'deep' });
    const text = plain(out.stderr);
    expect(text).toContain('Traceback (most recent call last)');
    expect(text).toMatch(/----> 4 f\(\)/);
    expect(text).toMatch(/----> 2 +raise ValueError\('deep'\)/);
  });

  it('runs a cell with top-level await', async () => {
    const out = await run("import asyncio\nawait asyncio.sleep(0.01)\nprint('awaited')");
    expect(out).toMatchObject({ success: true, stdout: 'awaited\n' });
  });

  it("gives the user's own imports the real modules", async () => {
    const code = [
      'import sys, asyncio, pydoc, stack_data, urllib.request, logging.config',
      "names = ['asyncio', 'pydoc', 'stack_data', 'urllib.request', 'logging.config']",
      'print([type(sys.modules[n]).__name__ for n in names])',
      'print(isinstance(urllib.request.Request, type), callable(logging.config.dictConfig))',
      "print(pydoc.plain('x'), asyncio.run(asyncio.sleep(0, 'ran')))",
    ].join('\n');
    const out = await run(code);
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe("['module', 'module', 'module', 'module', 'module']\nTrue True\nx ran\n");
  });
});
