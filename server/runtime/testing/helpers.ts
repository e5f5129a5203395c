/** Shared pieces of the runtime tests: real runtimes on temporary data dirs, commands via the agent. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { httpOverSocket } from '../../agent/testing/harness.ts';
import { createRuntime } from '../index.ts';
import type { SandboxSpec } from '../types.ts';

export const AGENT_DIR = resolve('dist/agent');

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'hopdeck-rt-'));
}

export function makeRuntime(dataDir: string, isolation: 'bwrap' | 'none' = 'bwrap') {
  return createRuntime({ dataDir, isolation, agentDir: AGENT_DIR });
}

export function spec(id: string, over: Partial<SandboxSpec> = {}): SandboxSpec {
  return {
    id,
    template: 'code-interpreter',
    resources: { vcpu: 1, memory_mb: 256, disk_mb: 128 },
    internetAccess: false,
    env: {},
    warmPython: false,
    ...over,
  };
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  exit_code: number;
}

/** Run a shell command inside the sandbox through its agent. */
export async function sh(socket: string, command: string, timeout = 30): Promise<CommandResult> {
  const res = await httpOverSocket(socket, 'POST', '/commands/run', { command, timeout });
  if (res.status !== 200) throw new Error(`commands/run answered ${res.status}: ${res.body.toString()}`);
  return res.json<CommandResult>();
}

export async function py(socket: string, code: string): Promise<{ stdout: string; success: boolean }> {
  const res = await httpOverSocket(socket, 'POST', '/execute', { code, language: 'python', timeout: 60 });
  return res.json<{ stdout: string; success: boolean }>();
}

/** GET /health with a short deadline: false when the agent cannot answer (e.g. frozen). */
export async function answers(socket: string, ms = 700): Promise<boolean> {
  const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), ms));
  const call = httpOverSocket(socket, 'GET', '/health').then(
    (r) => r.status === 200,
    () => false,
  );
  return Promise.race([call, timeout]);
}
