/**
 * Starting a sandbox's process tree from its launch plan (launch.ts) and waiting for its agent:
 * the cgroup-join launcher, its log and extra fds, the network attached while the agent boots.
 * `LocalRuntime` prepares the folder, disk and uid before and records the state after.
 */
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { waitForAgent } from './agent-client.ts';
import type { LaunchPlan } from './launch.ts';
import { attachNetwork } from './network.ts';
import { sandboxNice } from './priority.ts';
import { linkSocket, readTail, type SandboxLayout } from './sandbox-dir.ts';
import { startProcess } from './spawner.ts';

const BOOT_TIMEOUT_MS = 30_000;
// Join the cgroups before exec, so every descendant is counted and frozen with the sandbox.
const JOIN_SCRIPT = 'umask 022; for f in $0; do [ "$f" = - ] || echo $$ > "$f"; done; exec "$@"';

export interface SpawnInput {
  id: string;
  dir: string;
  layout: SandboxLayout;
  plan: LaunchPlan;
  /** cgroup.procs files the launcher joins before exec. */
  procsFiles: string[];
  /** The sandbox uid owning the agent socket's host link (bwrap), or null. */
  socketUid: number | null;
  log: (msg: string) => void;
  /** Called with the launcher's pid as soon as it exists (the caller records it). */
  onSpawned: (pid: number) => void;
  /** Kill whatever the failed boot left running. */
  kill: (pid: number) => Promise<void>;
}

export interface Spawned {
  pid: number;
  net: { netPid: number; slirpPid: number } | null;
}

export async function spawnSandbox(input: SpawnInput): Promise<Spawned> {
  const { id, dir, layout, plan } = input;
  // The sandbox runs at the nice the engine started with, not at the engine's own (priority.ts).
  const command = [...sandboxNice(), ...plan.command];
  const child = await startProcess({
    argv: ['/bin/sh', '-c', JOIN_SCRIPT, input.procsFiles.join(' ') || '-', ...command],
    env: plan.env,
    out: join(dir, 'agent.log'),
    fds: plan.files,
    pipe: plan.infoFd !== null,
    detached: true,
  });
  const pid = child.pid;
  let exited = false;
  void child.exited.then(
    () => (exited = true),
    () => undefined,
  );
  input.onSpawned(pid);
  // The network comes up while the agent boots: slirp4netns joins the namespace bwrap reports.
  const netReady =
    plan.infoFd === null ? Promise.resolve(null) : attachNetwork(dir, child.pipe as Readable, input.log);
  netReady.catch(() => undefined);

  const failure = await waitForAgent(
    layout.hostSocket,
    () => linkSocket(layout, input.socketUid),
    () => exited,
    BOOT_TIMEOUT_MS,
    layout.runDir,
  );
  if (failure) {
    await netReady.catch(() => undefined);
    await input.kill(pid);
    throw new Error(`sandbox ${id} did not boot (${failure}): ${readTail(join(dir, 'agent.log'))}`);
  }
  try {
    return { pid, net: await netReady };
  } catch (err) {
    await input.kill(pid);
    throw new Error(`sandbox ${id} did not boot (network: ${(err as Error).message})`, { cause: err });
  }
}

/**
 * bwrap now and then fails while it sets up the namespaces (seen here under parallel boots:
 * "loopback: Failed RTM_NEWADDR: No child processes"). A boot whose process exited before its
 * agent came up is tried once more; a second failure is reported.
 */
export async function retryEarlyExit<T>(boot: () => Promise<T>, log: (msg: string) => void): Promise<T> {
  try {
    return await boot();
  } catch (err) {
    if (!(err instanceof Error) || !err.message.includes('(process exited)')) throw err;
    log(`${err.message}; trying once more`);
    return boot();
  }
}
