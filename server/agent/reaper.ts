/**
 * Ends everything one run started: its process group, every process that carries its tag in the
 * environment, every descendant of those, and (inside a sandbox only) the orphans that appeared
 * while the run was alive and carry no tag at all (their environment was cleared). Orphans are how a `setsid`'d or
 * double-forked child escapes a process-group kill; inside the sandbox's pid namespace they are
 * re-parented to pid 1 (bwrap), so "ppid 1, our uid, born during the run" finds them.
 * No cgroup is available to the agent (cgroup v1, bound read-only), hence /proc; see 0008-hardening.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The environment variable that tags every process a run starts (inherited by its children). */
export const RUN_TAG = 'HOPDECK_RUN';

export interface RunMark {
  tag: string;
  /** Pid of the run's first process (also its process group id). */
  rootPid: number;
  /** Start time (clock ticks since boot) of the root process. */
  startTicks: number;
  /** Tick count when the root process exited; null while it runs. */
  endTicks: number | null;
}

interface ProcRow {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
  start: number;
}

/** Sandbox mode: the agent runs as an unprivileged uid in its own pid namespace (fs root '/'). */
export function orphanRuleApplies(fsRoot: string): boolean {
  return fsRoot === '/' && typeof process.getuid === 'function' && process.getuid() !== 0;
}

/** Clock ticks since boot now (CLK_TCK is 100 on Linux). */
export function nowTicks(): number {
  try {
    return Math.floor(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 100);
  } catch {
    return 0;
  }
}

export function startTicksOf(pid: number): number {
  try {
    return parseStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'))?.start ?? nowTicks();
  } catch {
    return nowTicks();
  }
}

function parseStat(pid: number, text: string): ProcRow | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const f = text.slice(close + 2).split(' ');
  return { pid, state: f[0] ?? '?', ppid: Number(f[1]), pgrp: Number(f[2]), start: Number(f[19]) };
}

function tagOf(pid: number): string | null {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'latin1');
    const prefix = `${RUN_TAG}=`;
    for (const entry of env.split('\0')) if (entry.startsWith(prefix)) return entry.slice(prefix.length);
    return '';
  } catch {
    return null; // gone, or not ours to read
  }
}

/** Synchronous on purpose: /proc reads never touch a disk, and the libuv pool may be busy. */
function snapshot(): ProcRow[] {
  const rows: ProcRow[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return rows;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid || pid === 1) continue;
    try {
      const row = parseStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'));
      if (row && row.state !== 'Z' && row.state !== 'X') rows.push(row);
    } catch {
      /* exited meanwhile */
    }
  }
  return rows;
}

/**
 * The processes that belong to `run` right now (never the agent, never pid 1). Only /proc/N/stat is
 * read for most: reading /proc/N/environ takes the target's mmap lock, which a process of a fork
 * bomb holds while forking (at nice 19, rarely scheduled), so it is read only for orphans.
 */
export function membersOf(run: RunMark, orphans: boolean): number[] {
  const rows = snapshot();
  const members = new Set<number>();
  const end = run.endTicks ?? Number.POSITIVE_INFINITY;
  const during = (row: ProcRow) => row.start >= run.startTicks && row.start <= end;
  // The group id outlives the root while any member lives; a new process with the root's pid
  // (born after the run) means the id was reused, and the group is not ours any more.
  const reused = rows.some((row) => row.pid === run.rootPid && !during(row));
  for (const row of rows) {
    if (!reused && row.pgrp === run.rootPid) members.add(row.pid);
  }
  grow(rows, members);
  for (const row of rows) {
    // An orphan born before the run cannot carry its tag; skipping it spares an environ read.
    if (members.has(row.pid) || row.ppid !== 1 || row.start < run.startTicks) continue;
    const tag = tagOf(row.pid);
    if (tag === run.tag || (orphans && tag === '' && during(row))) members.add(row.pid);
  }
  grow(rows, members);
  return [...members];
}

/** Add every descendant (by ppid) of a member: an env-cleared or setsid'd child still has its parent. */
function grow(rows: ProcRow[], members: Set<number>): void {
  let grew = true;
  while (grew) {
    grew = false;
    for (const row of rows) {
      if (!members.has(row.pid) && members.has(row.ppid)) {
        members.add(row.pid);
        grew = true;
      }
    }
  }
}

/**
 * SIGKILL every member of the run, in rounds until a scan finds none (a fork bomb keeps forking
 * while we scan; the sandbox's pids limit bounds it). The first pass is bounded (5 s) so the
 * caller can answer; if members are left then, passes go on in the background every half second
 * for up to a minute (a bomb that outlived one pass once kept the sandbox saturated for good).
 */
export async function reapRun(run: RunMark, orphans: boolean): Promise<number> {
  if (run.endTicks === null) signal(-run.rootPid, 'SIGKILL');
  const first = await reapPass(run, orphans, 5000);
  if (first.left) void persist(run, orphans, Date.now() + 60_000);
  return first.killed;
}

async function persist(run: RunMark, orphans: boolean, until: number): Promise<void> {
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 500));
    if (!(await reapPass(run, orphans, 2000)).left) return;
  }
}

async function reapPass(
  run: RunMark,
  orphans: boolean,
  ms: number,
): Promise<{ killed: number; left: boolean }> {
  let killed = 0;
  const deadline = Date.now() + ms;
  for (let round = 0; round < 200 && Date.now() < deadline; round++) {
    if (round > 0) await new Promise((r) => setImmediate(r));
    const victims = membersOf(run, orphans);
    if (victims.length === 0) return { killed, left: false };
    // Stop first so nobody forks while the rest are being killed, then kill.
    for (const pid of victims) signal(pid, 'SIGSTOP');
    for (const pid of victims) if (signal(pid, 'SIGKILL')) killed += 1;
  }
  return { killed, left: membersOf(run, orphans).length > 0 };
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}
