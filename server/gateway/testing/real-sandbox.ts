/**
 * A real agent for the gateway's integration tests: the built agent bundle (dist/agent/agent.mjs,
 * built by the integration global setup) on its own unix socket and filesystem root, like
 * `--isolation none`. Pause really freezes it (SIGSTOP), so a test proves the gateway answers a
 * paused sandbox without waiting on its agent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { agentHealthy } from '../../control-plane/agent-client.ts';

export interface RealSandbox {
  socketPath: string;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startRealSandbox(sandboxId: string): Promise<RealSandbox> {
  const bundle = resolve('dist/agent/agent.mjs');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: the integration global setup builds it`);
  const root = mkdtempSync(join(tmpdir(), 'hopdeck-gw-it-'));
  const socketPath = join(root, 'agent.sock');
  const child: ChildProcess = spawn(
    process.execPath,
    [bundle, '--socket', socketPath, '--root', root, '--warm-python'],
    {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOPDECK_SANDBOX_ID: sandboxId },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const deadline = Date.now() + 20_000;
  while (!(await agentHealthy(socketPath, 500))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`agent did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    socketPath,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGCONT');
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
