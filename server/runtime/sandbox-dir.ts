/**
 * One sandbox's folder on the host: `meta/` (root-owned: state.json, deadline, bwrap's arguments),
 * `fs/` (mounted disk image), `agent.log`.
 */
import {
  closeSync,
  constants,
  ftruncateSync,
  linkSync,
  lstatSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

export interface SandboxState {
  uid: number;
  pid: number | null;
  bootMs?: number;
  /** Where the last boot's time went (ms per phase: clean, uid, disk, cgroup, agent, deadline). */
  bootPhases?: Record<string, number>;
  /** Host pid of the process inside the sandbox's namespaces that slirp4netns attaches to. */
  netPid?: number;
  /** The sandbox's detached slirp4netns (internet access with a private network). */
  slirpPid?: number;
  /** The detached deadline watchdog (kills the sandbox at expires_at, with or without the engine). */
  watchdogPid?: number;
}

/**
 * Where the agent's socket and the engine's per-boot files live. With bwrap they are on the
 * sandbox's own disk image (so everything the sandbox can write counts against its disk cap):
 * `fs/.hd/` is root-owned and never visible inside (agent.json, passwd, group, resolv.conf and the
 * host-side socket link), `fs/.hd/run/` is the sandbox's socket folder, shown as /run/hopdeck.
 * Without isolation they are `meta/` and `run/` in the sandbox folder.
 */
export interface SandboxLayout {
  dir: string;
  /** Root-only folder for the engine's files and the socket link (same filesystem as runDir). */
  engineDir: string;
  /** Folder the agent creates its socket in (writable by the sandbox). */
  runDir: string;
  /**
   * The host-side socket is a hard link, in engineDir, to the socket the agent created in runDir:
   * a sandbox cannot swap it for a symlink to some host socket that the engine would then
   * connect to as root.
   */
  hostSocket: string;
  innerSocket: string;
}

export function layoutOf(dir: string, bwrap: boolean): SandboxLayout {
  const engineDir = bwrap ? join(dir, 'fs', '.hd') : join(dir, 'meta');
  const runDir = bwrap ? join(engineDir, 'run') : join(dir, 'run');
  return {
    dir,
    engineDir,
    runDir,
    hostSocket: join(engineDir, 'agent.sock'),
    innerSocket: join(runDir, 'agent.sock'),
  };
}

/** Link the agent's fresh socket into engineDir once it exists and really is a socket of `uid`. */
export function linkSocket(layout: SandboxLayout, uid: number | null): boolean {
  const inner = layout.innerSocket;
  let st;
  try {
    st = lstatSync(inner);
  } catch {
    return false;
  }
  if (!st.isSocket() || (uid !== null && st.uid !== uid))
    throw new Error(`${inner} is not the agent's socket`);
  rmSync(layout.hostSocket, { force: true });
  linkSync(inner, layout.hostSocket);
  return true;
}

export function removeSockets(layout: SandboxLayout): void {
  for (const socket of [layout.hostSocket, layout.innerSocket]) {
    try {
      rmSync(socket, { force: true });
    } catch (err) {
      // An image the kernel made read-only after write errors (host disk full): the stop goes
      // on, the next mount repairs it (disk.ts).
      if ((err as NodeJS.ErrnoException).code !== 'EROFS') throw err;
    }
  }
}

export function readState(dir: string): SandboxState | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'meta', 'state.json'), 'utf8')) as SandboxState;
  } catch {
    return null;
  }
}

export function writeState(dir: string, st: SandboxState): void {
  overwriteSync(join(dir, 'meta', 'state.json'), JSON.stringify(st));
}

/**
 * Replace a small file's content in place: write at offset 0, then cut to the new length. A
 * truncate to zero first (what writeFileSync does) makes ext4 flush the file's blocks when it is
 * closed (auto_da_alloc): 0.85 ms instead of 0.04 ms per write under disk load here, and 18 ms a
 * write on the engine's main thread in a burst of 20 claims while other work filled the disk queue.
 * A write of under one page cannot be torn by a crash of the engine (only of the machine, which
 * ends every sandbox anyway); readers treat an unreadable file as missing.
 */
export function overwriteSync(file: string, text: string, mode = 0o644): void {
  const data = Buffer.from(text);
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT, mode);
  try {
    writeSync(fd, data, 0, data.length, 0);
    ftruncateSync(fd, data.length);
  } finally {
    closeSync(fd);
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Guard against pid reuse: the process must be one we started for this sandbox (its command line
 * names it, or, for bwrap whose arguments come from a file, its environment carries the marker).
 */
export function ownsPid(pid: number, id: string): boolean {
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(id)) return true;
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${SANDBOX_MARKER}=${id}`);
  } catch {
    return false;
  }
}

/** Environment variable naming the sandbox in the host-side launcher (bwrap clears it inside). */
export const SANDBOX_MARKER = 'HOPDECK_SANDBOX';

export function readTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000).trim();
  } catch {
    return '(no log)';
  }
}

/** SIGKILL the launcher's process group and slirp4netns recorded in the state, if still ours. */
export function killRecordedNow(st: SandboxState, id: string): void {
  for (const pid of [st.pid, st.slirpPid]) {
    if (!pid || !pidAlive(pid) || !ownsPid(pid, id)) continue;
    try {
      process.kill(pid === st.pid ? -pid : pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
