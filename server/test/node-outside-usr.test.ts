// The engine on a Node installed outside /usr, as nvm users have it: a binary in a 0700 folder of
// a home, itself 0700 (written under umask 077). The sandbox's uid can neither enter that folder
// nor execute that file, so the runtime gives sandboxes a root-owned 0755 copy in
// /var/lib/hopdeck/node; `language: javascript` (a node the agent spawns as the sandbox's uid) must run.
import { Sandbox } from '@hopx-ai/sdk';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_COPIES_DIR } from '../runtime/node-binary.ts';

const PORT = 7861;
const API_KEY = 'hopx_live_NODEOUTSIDE1.bm9kZS1vdXRzaWRlLXVzci10ZXN0';
const root = mkdtempSync(join(tmpdir(), 'hopdeck-node-'));
const home = join(root, 'home', 'alice');
const privateNode = join(home, '.nvm', 'versions', 'node', process.version, 'bin', 'node');
const dataDir = join(root, 'data');
let engine: ChildProcessWithoutNullStreams | null = null;
let output = '';

async function waitFor(re: RegExp, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!re.test(output)) {
    if (Date.now() > deadline || engine?.exitCode !== null)
      throw new Error(`engine did not print ${re}:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  mkdirSync(join(privateNode, '..'), { recursive: true, mode: 0o700 });
  chmodSync(home, 0o700);
  copyFileSync(process.execPath, privateNode);
  chmodSync(privateNode, 0o700);
  // Same mtime as the original: every run reuses one host-wide copy instead of adding one.
  const orig = statSync(process.execPath);
  utimesSync(privateNode, orig.atime, orig.mtime);
  engine = spawn(
    privateNode,
    [
      '--import',
      'tsx',
      'server/main.ts',
      'serve',
      '--port',
      String(PORT),
      '--frames-port',
      String(PORT + 1),
      '--agent-ports',
      `${PORT + 2}-${PORT + 9}`,
      '--data-dir',
      dataDir,
      '--api-key',
      API_KEY,
    ],
    { env: { ...process.env, HOPDECK_WARM_POOL: '0' } },
  );
  engine.stdout.on('data', (c: Buffer) => (output += c.toString()));
  engine.stderr.on('data', (c: Buffer) => (output += c.toString()));
  await waitFor(/listening on http:\/\/127\.0\.0\.1:7861/);
});

afterAll(async () => {
  if (engine && engine.exitCode === null) {
    const exited = new Promise((r) => engine?.once('exit', r));
    engine.kill('SIGTERM');
    await exited;
  }
  rmSync(root, { recursive: true, force: true });
});

describe('engine on a node outside /usr, in a 0700 folder', () => {
  it('runs JavaScript in a sandbox with that node, and Python and Bash as usual', async () => {
    const sbx = await Sandbox.create({
      template: 'code-interpreter',
      apiKey: API_KEY,
      baseURL: `http://127.0.0.1:${PORT}`,
    });
    try {
      const js = await sbx.runCode('console.log(process.version, process.getuid() > 0)', {
        language: 'javascript',
      });
      expect(js.stderr).toBe('');
      expect(js.stdout.trim()).toBe(`${process.version} true`);
      expect(js.success).toBe(true);

      const py = await sbx.runCode('print(6 * 7)');
      expect(py.stdout.trim()).toBe('42');
      const sh = await sbx.commands.run('ls -ld /opt/hopdeck-node; cat /proc/self/mountinfo');
      expect(sh.stdout).toMatch(/^drwxr-xr-x/);
      // Neither the user's home nor the data directory shows in the sandbox's mount table.
      expect(sh.stdout).not.toContain(home);
      expect(sh.stdout).not.toContain(dataDir);

      // The copy the sandboxes run: root-owned, 0755, host-wide.
      const src = statSync(privateNode);
      const copy = statSync(
        join(NODE_COPIES_DIR, `node-${process.version}-${src.size}-${Math.trunc(src.mtimeMs)}`),
      );
      expect(copy.mode & 0o7777).toBe(0o755);
      expect(copy.uid).toBe(0);
    } finally {
      await sbx.kill();
    }
  });
});
