import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand, startProcess } from './spawner.ts';

const dir = mkdtempSync(join(tmpdir(), 'hopdeck-spawner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the spawn helper', () => {
  it('runs a command to its end and returns its output (stdout and stderr)', async () => {
    expect(await runCommand(['/bin/sh', '-c', 'echo out; echo err >&2'])).toBe('out\nerr');
  });

  it('rejects a failing or missing command with its exit and output', async () => {
    await expect(runCommand(['/bin/sh', '-c', 'echo why >&2; exit 3'])).rejects.toThrow(/exit 3\): why/);
    // The exit code as execFile gives it (e2fsck's 1-3 mean "errors corrected").
    await expect(runCommand(['/bin/sh', '-c', 'exit 2'])).rejects.toMatchObject({ code: 2 });
    await expect(runCommand([join(dir, 'missing')])).rejects.toThrow(/No such file/);
  });

  it('starts a detached process with its log, read-only files at fd 3 and a pipe after them', async () => {
    const input = join(dir, 'input');
    const log = join(dir, 'log');
    writeFileSync(input, 'from fd 3');
    const child = await startProcess({
      argv: ['/bin/sh', '-c', 'cat <&3; echo " $FOO"; ps -o sid= -p $$ >&4; echo done >&4'],
      env: { FOO: 'bar', PATH: '/usr/bin:/bin' },
      out: log,
      fds: [input],
      pipe: true,
      detached: true,
    });
    let piped = '';
    child.pipe?.setEncoding('utf8').on('data', (d: string) => (piped += d));
    await new Promise((resolve) => child.pipe?.on('end', resolve));
    expect(await child.exited).toMatchObject({ code: 0, signal: null });
    expect(readFileSync(log, 'utf8')).toBe('from fd 3 bar\n');
    // Its own session: the session id is its own pid.
    expect(piped.trim().split('\n')).toEqual([String(child.pid), 'done']);
  });

  it('reports a signal that ended a process', async () => {
    const child = await startProcess({ argv: ['/bin/sleep', '30'] });
    process.kill(child.pid, 'SIGKILL');
    expect(await child.exited).toMatchObject({ code: null, signal: 9 });
  });
});
