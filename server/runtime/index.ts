/**
 * The sandbox runtime (see docs/decisions/0003-sandbox-runtime.md).
 *   const runtime = await createRuntime({ dataDir, isolation: 'bwrap', agentDir: 'dist/agent' });
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { probeCgroups } from './cgroups.ts';
import { compileSeccomp } from './seccomp.ts';
import { systemBinds } from './bwrap.ts';
import { LocalRuntime, type RuntimeOptions } from './local-runtime.ts';
import { slirp4netnsVersion, type NetworkMode } from './network.ts';
import { atSandboxNice, preferEngine } from './priority.ts';
import type { Runtime } from './types.ts';

export type { RuntimeOptions } from './local-runtime.ts';
export { LocalRuntime } from './local-runtime.ts';
export type { NetworkMode } from './network.ts';

export function hasBwrap(): boolean {
  try {
    execFileSync('bwrap', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function createRuntime(opts: RuntimeOptions): Promise<Runtime & LocalRuntime> {
  const log = opts.log ?? (() => undefined);
  const agentDir = resolve(opts.agentDir);
  for (const f of ['agent.mjs', 'agent.cjs', 'bridge.py']) {
    if (!existsSync(join(agentDir, f)))
      throw new Error(`agent bundle missing: ${join(agentDir, f)} (run npm run build:server)`);
  }
  if (opts.isolation === 'bwrap') {
    if (!hasBwrap())
      throw new Error(
        'bubblewrap (bwrap) is not installed; install it or choose --isolation none explicitly',
      );
    if (process.getuid?.() !== 0)
      throw new Error('isolation bwrap needs the engine to run as root (cgroups, loop mounts, uid switch)');
  }
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // The engine answers before the sandboxes it boots (decision 0009); root only.
  if (opts.isolation === 'bwrap') preferEngine(log);
  const cgroups = probeCgroups();
  let seccompFile: string | null = null;
  if (opts.isolation === 'bwrap') {
    const file = join(dataDir, 'seccomp.bpf');
    const res = compileSeccomp(file);
    if (res.ok) seccompFile = file;
    else log(`seccomp filter unavailable (python3-seccomp missing?): ${res.reason}`);
  }
  let network: NetworkMode = 'host';
  if (opts.isolation === 'bwrap') {
    // Security-relevant: said on stderr even when the caller passed no logger.
    const warn = opts.log ?? ((m: string) => process.stderr.write(`hopdeck: ${m}\n`));
    if (slirp4netnsVersion()) network = 'slirp4netns';
    else
      warn(
        'slirp4netns is not installed: sandboxes with internet access share the host network namespace ' +
          '(they can reach 127.0.0.1 services such as this engine); install slirp4netns to isolate them',
      );
  }
  log(
    `runtime: isolation ${opts.isolation}, cgroups ${cgroups}, seccomp ${seccompFile ? 'on' : 'off'}, ` +
      `internet network ${network === 'slirp4netns' ? 'private (slirp4netns)' : 'shared with the host'}`,
  );
  return new LocalRuntime({ ...opts, agentDir, dataDir }, cgroups, seccompFile, network);
}

/**
 * The baseline the benchmark compares a warm sandbox against: a fresh isolated interpreter
 * (bwrap with new namespaces + /usr/bin/python3 -c "print(1)"), timed from spawn to exit.
 */
export function baselineFreshInterpreter(): Promise<{ ms: number; output: string }> {
  const args = [
    '--unshare-all',
    '--die-with-parent',
    '--clearenv',
    '--setenv',
    'PATH',
    '/usr/bin:/bin',
    ...systemBinds(),
    '--ro-bind',
    '/etc',
    '/etc',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '/usr/bin/python3',
    '-c',
    'print(1)',
  ];
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const [file, argv] = atSandboxNice('bwrap', args);
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`baseline interpreter exited with ${code}`));
      else resolvePromise({ ms, output: output.trim() });
    });
  });
}
