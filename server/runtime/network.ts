/**
 * Private networking for sandboxes with internet access: the sandbox gets its own network
 * namespace (bwrap --unshare-net) and a detached `slirp4netns` gives it a tap0 with NAT to the
 * outside (10.0.2.100/24, gateway 10.0.2.2, DNS 10.0.2.3). `--disable-host-loopback` keeps it off
 * the host's 127.0.0.1 (the engine, other sandboxes' ports, local databases).
 * Without slirp4netns on the machine, internet sandboxes fall back to the host's namespace.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sandboxNice } from './priority.ts';
import { startProcess } from './spawner.ts';
import type { Readable } from 'node:stream';
import { ownsPid, pidAlive, readState, writeState } from './sandbox-dir.ts';
import type { NetworkMode } from './types.ts';

export type { NetworkMode };

const READY_TIMEOUT_MS = 10_000;
const BASE_FLAGS = ['--configure', '--mtu=65520', '--disable-host-loopback'];
const HARDENING_FLAGS = ['--enable-sandbox', '--enable-seccomp'];

/** The slirp4netns version on PATH, or null when it is not installed. */
export function slirp4netnsVersion(): string | null {
  try {
    const out = execFileSync('slirp4netns', ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return /slirp4netns version (\S+)/.exec(out)?.[1] ?? 'unknown';
  } catch {
    return null;
  }
}

/** API socket of a sandbox's slirp4netns; its path (with the sandbox id) also marks the process as ours. */
export function slirpSocket(dir: string): string {
  return join(dir, 'meta', 'slirp.sock');
}

/**
 * Read bwrap's `--info-fd` JSON and return the host pid of the process inside the new namespaces.
 * bwrap writes it in several pieces and then closes the fd: read to the end, since closing our
 * side early would kill bwrap with SIGPIPE.
 */
export function readChildPid(stream: Readable, timeoutMs = READY_TIMEOUT_MS): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      stream.destroy();
      reject(new Error('bwrap did not report its child pid'));
    }, timeoutMs);
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => (text += d));
    stream.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    stream.on('end', () => {
      clearTimeout(timer);
      const pid = /"child-pid"\s*:\s*(\d+)/.exec(text)?.[1];
      if (pid) resolve(Number(pid));
      else reject(new Error(`bwrap closed its info fd without a child pid: ${text.trim()}`));
    });
  });
}

/** Flags that failed once on this machine (e.g. --enable-sandbox when not permitted) are not retried. */
let hardeningWorks = true;

/**
 * Start a detached slirp4netns for the network namespace of `targetPid` and resolve with its pid
 * once tap0 is configured. It outlives the engine; `stopSlirp` ends it.
 */
export async function startSlirp(
  dir: string,
  targetPid: number,
  log: (msg: string) => void,
): Promise<number> {
  if (hardeningWorks) {
    try {
      return await spawnSlirp(dir, targetPid, HARDENING_FLAGS);
    } catch (err) {
      if (!pidAlive(targetPid)) throw err;
      hardeningWorks = false;
      log(
        `slirp4netns: --enable-sandbox/--enable-seccomp failed here, running without (${(err as Error).message})`,
      );
    }
  }
  return spawnSlirp(dir, targetPid, []);
}

async function spawnSlirp(dir: string, targetPid: number, extra: string[]): Promise<number> {
  const api = slirpSocket(dir);
  rmSync(api, { force: true });
  // At the sandbox's CPU priority, not the engine's (priority.ts); `nice` execs it: same pid.
  const child = await startProcess({
    argv: [
      ...sandboxNice(),
      'slirp4netns',
      ...BASE_FLAGS,
      ...extra,
      '--ready-fd=3',
      `--api-socket=${api}`,
      String(targetPid),
      'tap0',
    ],
    out: join(dir, 'slirp.log'),
    pipe: true,
    detached: true,
  });
  const ready = child.pipe as Readable;
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ready.removeAllListeners();
      child.closePipe();
      if (!err) return resolve(child.pid);
      void stopSlirp(child.pid, dir);
      reject(err);
    };
    const timer = setTimeout(() => finish(new Error('slirp4netns was not ready in time')), READY_TIMEOUT_MS);
    ready.on('data', () => finish(null));
    ready.on('error', (err) => finish(err));
    child.exited.then(
      (e) => finish(new Error(`slirp4netns exited with ${e.code}: ${tail(dir)}`)),
      (err: unknown) => finish(err as Error),
    );
  });
}

/** True when `pid` is the slirp4netns of the sandbox in `dir` (guards against pid reuse). */
export function ownsSlirp(pid: number, dir: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.startsWith('slirp4netns\0') && cmdline.includes(slirpSocket(dir));
  } catch {
    return false;
  }
}

export function slirpAlive(pid: number | null | undefined, dir: string): boolean {
  return typeof pid === 'number' && pidAlive(pid) && ownsSlirp(pid, dir);
}

/**
 * Pids of every live slirp4netns serving the sandbox in `dir`, found by the API socket path in
 * their command line (also those an engine crash left unrecorded in state.json).
 */
export async function slirpProcesses(dir: string): Promise<number[]> {
  // Off the event loop (the thread pool reads /proc): a host runs hundreds of processes, and
  // every destroy looks through all of them.
  const api = slirpSocket(dir);
  const read = (f: string) => readFile(f, 'utf8').catch(() => '');
  const found = await Promise.all(
    (await readdir('/proc'))
      .filter((name) => /^\d+$/.test(name))
      .map(async (name) => {
        const cmdline = await read(`/proc/${name}/cmdline`);
        if (!cmdline.startsWith('slirp4netns\0') || !cmdline.includes(api)) return null;
        const zombie = /^State:\s+Z/m.test(await read(`/proc/${name}/status`));
        return zombie ? null : Number(name);
      }),
  );
  return found.filter((p) => p !== null).sort((a, b) => a - b);
}

/**
 * End a sandbox's slirp4netns: the recorded one and any other found for it (SIGTERM, then SIGKILL
 * after 1 s), and wait until they are gone. Idempotent.
 */
export async function stopSlirp(pid: number | null | undefined, dir: string): Promise<void> {
  // The scan (every process on the host) is for one an engine crash left unrecorded: a recorded
  // slirp4netns that is alive is the sandbox's only one (starts and re-attaches are one at a time).
  const recorded = typeof pid === 'number' && slirpAlive(pid, dir);
  const pids = new Set(recorded ? [pid] : await slirpProcesses(dir));
  for (const p of pids) signal(p, 'SIGTERM');
  const deadline = Date.now() + 1000;
  const alive = () => [...pids].filter((p) => pidAlive(p) && ownsSlirp(p, dir));
  while (alive().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  for (const p of alive()) signal(p, 'SIGKILL');
  rmSync(slirpSocket(dir), { force: true });
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone */
  }
}

function tail(dir: string): string {
  try {
    return readFileSync(join(dir, 'slirp.log'), 'utf8').slice(-500).trim();
  } catch {
    return '(no log)';
  }
}

/**
 * At boot: read the sandbox's namespace pid from bwrap's info fd, start its slirp4netns and record
 * both in state.json (so stop, destroy and a later engine find them).
 */
export async function attachNetwork(
  dir: string,
  info: Readable,
  log: (msg: string) => void,
): Promise<{ netPid: number; slirpPid: number }> {
  const netPid = await readChildPid(info);
  const slirpPid = await startSlirp(dir, netPid, log);
  const st = readState(dir);
  if (st) writeState(dir, { ...st, netPid, slirpPid });
  return { netPid, slirpPid };
}

const reattaching = new Map<string, Promise<void>>();

/**
 * After an engine restart (or a crash of slirp4netns): give a live sandbox its network back.
 * Concurrent calls for one sandbox share one attempt.
 */
export function reattachNetwork(dir: string, id: string, log: (msg: string) => void): Promise<void> {
  const pending = reattaching.get(dir);
  if (pending) return pending;
  const p = reattach(dir, id, log).finally(() => reattaching.delete(dir));
  reattaching.set(dir, p);
  return p;
}

async function reattach(dir: string, id: string, log: (msg: string) => void): Promise<void> {
  const st = readState(dir);
  if (!st?.netPid || slirpAlive(st.slirpPid, dir)) return;
  if (!pidAlive(st.netPid) || !ownsPid(st.netPid, id)) return;
  try {
    const slirpPid = await startSlirp(dir, st.netPid, log);
    writeState(dir, { ...(readState(dir) ?? st), slirpPid });
    log(`sandbox ${id}: slirp4netns restarted (pid ${slirpPid})`);
  } catch (err) {
    log(`sandbox ${id}: could not restart slirp4netns: ${(err as Error).message}`);
  }
}
