/**
 * Resource usage as the sandbox sees it: memory from its own cgroup (bound read-only at
 * /sys/fs/cgroup/memory or /sys/fs/cgroup by the runtime), CPU from the processes of its pid
 * namespace (/proc), disk from its /workspace filesystem. Falls back to host figures when
 * those are not available (isolation 'none').
 */
import { readdirSync, readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { realPath } from './config.ts';
import type { AgentState } from './state.ts';

const CLK_TCK = 100;
const PAGE = 4096;

function readNumber(file: string): number | null {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export interface ProcInfo {
  pid: number;
  name: string;
  state: string;
  ticks: number;
  rssBytes: number;
  command: string;
}

/** Every process visible in /proc (inside a sandbox: only the sandbox's own). */
export function listProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      out.push({
        pid: Number(entry),
        name,
        state: f[0] ?? '?',
        ticks: Number(f[11]) + Number(f[12]),
        rssBytes: Number(f[21]) * PAGE,
        command: cmd || `[${name}]`,
      });
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/**
 * CPU ticks of every process in /proc, from /proc/N/stat only: /proc/N/cmdline takes the target's
 * mmap lock, which a forking (nice 19, rarely scheduled) process holds; the periodic metrics sample
 * must never wait for a sandbox's processes.
 */
function cpuTicks(): number {
  let sum = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      sum += Number(f[11]) + Number(f[12]);
    } catch {
      /* exited meanwhile */
    }
  }
  return sum;
}

let lastSample: { at: number; ticks: number } | null = null;

function cpuPercent(state: AgentState, cores: number): number {
  if (state.cfg.fsRoot !== '/') return round(Math.min(100, ((loadavg()[0] ?? 0) / cores) * 100));
  const ticks = cpuTicks();
  const now = Date.now();
  const prev = lastSample;
  lastSample = { at: now, ticks };
  if (!prev || now - prev.at < 50) return 0;
  const busy = Math.max(0, ticks - prev.ticks) / CLK_TCK / ((now - prev.at) / 1000);
  return round(Math.min(100, (busy / cores) * 100));
}

function memory(): { total: number; used: number; free: number; usage_percent: number } {
  const v2Max = readFileSync0('/sys/fs/cgroup/memory.max');
  const limit =
    v2Max !== null
      ? v2Max === 'max'
        ? null
        : Number(v2Max)
      : readNumber('/sys/fs/cgroup/memory/memory.limit_in_bytes');
  const used =
    readNumber('/sys/fs/cgroup/memory.current') ?? readNumber('/sys/fs/cgroup/memory/memory.usage_in_bytes');
  const hostTotal = totalmem();
  const total = limit !== null && limit > 0 && limit < hostTotal ? limit : hostTotal;
  const u = used ?? hostTotal - freemem();
  return { total, used: u, free: Math.max(0, total - u), usage_percent: round((u / total) * 100) };
}

function readFileSync0(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

export async function usage(state: AgentState) {
  const cores = state.cfg.resources?.vcpu ?? cpus().length;
  let disk = { total: 0, used: 0, free: 0, usage_percent: 0 };
  try {
    const st = await statfs(realPath(state.cfg, '/workspace'));
    const t = st.blocks * st.bsize;
    const f = st.bavail * st.bsize;
    disk = { total: t, used: t - f, free: f, usage_percent: t ? round(((t - f) / t) * 100) : 0 };
  } catch {
    /* no workspace yet */
  }
  return { cpu: { usage_percent: cpuPercent(state, cores), cores }, memory: memory(), disk };
}
