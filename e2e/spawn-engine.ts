/** Starts an extra engine for one spec (e.g. with a lowered rate limit) and stops it afterwards. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineState } from './engine.ts';

export interface SpawnedEngine {
  state: EngineState;
  stop: () => Promise<void>;
}

export async function spawnEngine(opts: {
  port: number;
  agentPorts: string;
  args?: string[];
  env?: Record<string, string>;
}): Promise<SpawnedEngine> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hopdeck-e2e-extra-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      'dist/server/main.js',
      'serve',
      '--port',
      String(opts.port),
      '--frames-port',
      String(opts.port + 1),
      '--data-dir',
      dataDir,
      '--agent-ports',
      opts.agentPorts,
      ...(opts.args ?? []),
    ],
    { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const printed = await new Promise<{ apiKey: string; link: string }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`engine did not start:\n${out}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const key = /API key[^:]*:\s*(\S+)/.exec(out);
      const link = /Sign in:\s*(\S+)/.exec(out);
      if (key?.[1] && link?.[1] && /listening on/i.test(out)) {
        clearTimeout(timer);
        resolve({ apiKey: key[1], link: link[1] });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`engine exited with ${code}:\n${out}`));
    });
  });
  const state: EngineState = {
    baseURL: `http://127.0.0.1:${opts.port}`,
    framesOrigin: `http://127.0.0.1:${opts.port + 1}`,
    apiKey: printed.apiKey,
    signInLink: printed.link,
    dataDir,
    pid: child.pid ?? 0,
  };
  return {
    state,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
