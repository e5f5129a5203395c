/**
 * One sandbox's folder on the host: `meta/` (root-owned: agent.json, state.json, the agent socket
 * link), `run/` (the sandbox's socket folder), `fs/` (mounted disk image), `agent.log`.
 */
import { linkSync, lstatSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SandboxState {
  uid: number;
  pid: number | null;
  bootMs?: number;
  /** Host pid of the process inside the sandbox's namespaces that slirp4netns attaches to. */
  netPid?: number;
  /** The sandbox's detached slirp4netns (internet access with a private network). */
  slirpPid?: number;
}

/**
 * The host-side socket is a hard link, in the root-owned meta/ folder, to the socket the agent
 * created in run/ (which the sandbox can write): a sandbox cannot swap it for a symlink to some
 * host socket that the engine would then connect to as root.
 */
export function hostSocket(dir: string): string {
  return join(dir, 'meta', 'agent.sock');
}

export function innerSocket(dir: string): string {
  return join(dir, 'run', 'agent.sock');
}

/** Link the agent's fresh socket into meta/ once it exists and really is a socket of `uid`. */
export function linkSocket(dir: string, uid: number | null): boolean {
  const inner = innerSocket(dir);
  let st;
  try {
    st = lstatSync(inner);
  } catch {
    return false;
  }
  if (!st.isSocket() || (uid !== null && st.uid !== uid))
    throw new Error(`${inner} is not the agent's socket`);
  rmSync(hostSocket(dir), { force: true });
  linkSync(inner, hostSocket(dir));
  return true;
}

export function removeSockets(dir: string): void {
  rmSync(hostSocket(dir), { force: true });
  rmSync(innerSocket(dir), { force: true });
}

export function readState(dir: string): SandboxState | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'meta', 'state.json'), 'utf8')) as SandboxState;
  } catch {
    return null;
  }
}

export function writeState(dir: string, st: SandboxState): void {
  writeFileSync(join(dir, 'meta', 'state.json'), JSON.stringify(st));
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Guard against pid reuse: the process must be one we started for this sandbox. */
export function ownsPid(pid: number, id: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(id);
  } catch {
    return false;
  }
}

export function readTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000).trim();
  } catch {
    return '(no log)';
  }
}
