/**
 * Resource limits and freezing through cgroups. Probed once: v2 with controllers (memory.max,
 * pids.max, cpu.max, cgroup.freeze, cgroup.kill), v1 controllers (memory, pids, cpu, freezer under
 * /sys/fs/cgroup/<ctrl>), or none. Every sandbox gets `hopdeck/<id>` in each hierarchy.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { SandboxResources } from '../../contract/schemas.ts';
import type { CgroupMode } from './types.ts';

const ROOT = '/sys/fs/cgroup';
const V1_CONTROLLERS = ['memory', 'pids', 'cpu', 'freezer'] as const;

function tryWrite(file: string, value: string): boolean {
  try {
    writeFileSync(file, value);
    return true;
  } catch {
    return false;
  }
}

async function tryWriteAsync(file: string, value: string): Promise<boolean> {
  try {
    await writeFile(file, value);
    return true;
  } catch {
    return false;
  }
}

function canCreate(dir: string): boolean {
  const probe = join(dir, `hopdeck-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

export function probeCgroups(): CgroupMode {
  try {
    const controllers = readFileSync(join(ROOT, 'cgroup.controllers'), 'utf8');
    if (/\bmemory\b/.test(controllers) && /\bpids\b/.test(controllers) && canCreate(ROOT)) {
      tryWrite(join(ROOT, 'cgroup.subtree_control'), '+memory +pids +cpu');
      return 'v2';
    }
  } catch {
    /* not a v2 root */
  }
  if (V1_CONTROLLERS.every((c) => existsSync(join(ROOT, c, 'cgroup.procs')) && canCreate(join(ROOT, c))))
    return 'v1';
  return 'none';
}

export class Cgroups {
  constructor(readonly mode: CgroupMode) {}

  #dirs(id: string): string[] {
    if (this.mode === 'v2') return [join(ROOT, 'hopdeck', id)];
    if (this.mode === 'v1') return V1_CONTROLLERS.map((c) => join(ROOT, c, 'hopdeck', id));
    return [];
  }

  /**
   * The parent `hopdeck` group competes with each busy host process as one scheduling entity. With
   * the kernel's default weight, all sandboxes together would get the CPU of a single host process
   * (1/26 of the machine with 25 busy processes on the host), so every step into a sandbox waits
   * for a turn. Weigh the parent like one host process per core instead: under host contention the
   * sandboxes together still get about a core's worth each, and each sandbox keeps its own quota.
   */
  async #weighParent(): Promise<void> {
    const cores = Math.max(1, availableParallelism());
    if (this.mode === 'v2')
      await tryWriteAsync(join(ROOT, 'hopdeck', 'cpu.weight'), String(Math.min(10_000, 100 * cores)));
    else
      await tryWriteAsync(
        join(ROOT, 'cpu', 'hopdeck', 'cpu.shares'),
        String(Math.min(262_144, 1024 * cores)),
      );
  }

  #dir(id: string, controller: (typeof V1_CONTROLLERS)[number]): string {
    return this.mode === 'v2' ? join(ROOT, 'hopdeck', id) : join(ROOT, controller, 'hopdeck', id);
  }

  /**
   * A sandbox's CPU weight among its siblings: `background` (a warm pool spare no create has
   * claimed yet) gets 1/8 of the normal weight, so under contention the sandboxes in use, and the
   * spares a burst has just claimed, run first. Only matters while the CPU is contended. Written
   * from the thread pool: a cgroup write waits on the kernel's cgroup lock, and a burst of claims
   * calls this for each.
   */
  async weigh(id: string, background: boolean): Promise<void> {
    if (this.mode === 'v2')
      await tryWriteAsync(join(this.#dirs(id)[0]!, 'cpu.weight'), background ? '12' : '100');
    else if (this.mode === 'v1')
      await tryWriteAsync(join(this.#dir(id, 'cpu'), 'cpu.shares'), background ? '128' : '1024');
  }

  /**
   * Create the groups with the sandbox's limits; returns the cgroup.procs files a new process joins.
   * From the thread pool (mkdir and writes in cgroupfs wait on the kernel's cgroup lock, which
   * every boot and destroy on the host takes): the engine's event loop is not held meanwhile.
   */
  async create(id: string, resources: SandboxResources, background = false): Promise<string[]> {
    if (this.mode === 'none') return [];
    if (this.mode === 'v2') {
      const parent = join(ROOT, 'hopdeck');
      if (!existsSync(parent)) {
        await mkdir(parent, { recursive: true });
        await tryWriteAsync(join(parent, 'cgroup.subtree_control'), '+memory +pids +cpu');
      }
    }
    await Promise.all(this.#dirs(id).map((dir) => mkdir(dir, { recursive: true })));
    const memBytes = String(Math.max(64, resources.memory_mb) * 1024 * 1024);
    const pids = String(pidsLimit(resources));
    const quota = String(Math.max(1, resources.vcpu) * 100_000);
    if (this.mode === 'v2') {
      const d = this.#dirs(id)[0]!;
      await Promise.all([
        tryWriteAsync(join(d, 'memory.max'), memBytes),
        tryWriteAsync(join(d, 'memory.swap.max'), '0'),
        tryWriteAsync(join(d, 'pids.max'), pids),
        tryWriteAsync(join(d, 'cpu.max'), `${quota} 100000`),
      ]);
    } else {
      const memory = this.#dir(id, 'memory');
      const cpu = this.#dir(id, 'cpu');
      await Promise.all([
        // memsw must stay >= the memory limit: written after it.
        writeFile(join(memory, 'memory.limit_in_bytes'), memBytes).then(() =>
          tryWriteAsync(join(memory, 'memory.memsw.limit_in_bytes'), memBytes),
        ),
        writeFile(join(this.#dir(id, 'pids'), 'pids.max'), pids),
        tryWriteAsync(join(cpu, 'cpu.cfs_period_us'), '100000').then(() =>
          tryWriteAsync(join(cpu, 'cpu.cfs_quota_us'), quota),
        ),
      ]);
    }
    await Promise.all([this.#weighParent(), this.weigh(id, background)]);
    return this.#dirs(id).map((d) => join(d, 'cgroup.procs'));
  }

  /** The sandbox's memory group, shown read-only inside so the agent can report its own usage. */
  memoryView(id: string): { host: string; inside: string } | null {
    if (this.mode === 'v2') return { host: join(ROOT, 'hopdeck', id), inside: ROOT };
    if (this.mode === 'v1') return { host: this.#dir(id, 'memory'), inside: join(ROOT, 'memory') };
    return null;
  }

  /** What a process outside the engine (the deadline watchdog) needs to kill the sandbox. */
  killTarget(id: string): { cgroupDir: string; procsFile: string } {
    if (this.mode === 'none') return { cgroupDir: '', procsFile: '' };
    const dir = this.mode === 'v1' ? this.#dir(id, 'freezer') : this.#dirs(id)[0]!;
    return { cgroupDir: dir, procsFile: join(dir, 'cgroup.procs') };
  }

  /** How many times the kernel's OOM killer ended a process of this group (since it was created). */
  oomKills(id: string): number {
    const file =
      this.mode === 'v2'
        ? join(this.#dirs(id)[0]!, 'memory.events')
        : this.mode === 'v1'
          ? join(this.#dir(id, 'memory'), 'memory.oom_control')
          : null;
    if (!file) return 0;
    try {
      return Number(/^oom_kill (\d+)/m.exec(readFileSync(file, 'utf8'))?.[1] ?? 0);
    } catch {
      return 0;
    }
  }

  /** SIGKILL every process now, synchronously (forced engine exit); no waiting, no freezing. */
  killNow(id: string): void {
    if (this.mode === 'v2') tryWrite(join(this.#dirs(id)[0]!, 'cgroup.kill'), '1');
    for (const pid of this.procs(id)) killQuietly(pid);
  }

  procs(id: string): number[] {
    const dir = this.mode === 'v1' ? this.#dir(id, 'pids') : this.#dirs(id)[0];
    if (!dir) return [];
    try {
      return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  /** `procs` read from the thread pool: a cgroup file read waits on the kernel's cgroup lock, which
   * every engine's boots and destroys on the host also take. */
  async procsAsync(id: string): Promise<number[]> {
    const dir = this.mode === 'v1' ? this.#dir(id, 'pids') : this.#dirs(id)[0];
    if (!dir) return [];
    const text = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map(Number);
  }

  exists(id: string): boolean {
    const d = this.#dirs(id)[0];
    return d !== undefined && existsSync(d);
  }

  isFrozen(id: string): boolean {
    try {
      if (this.mode === 'v2')
        return readFileSync(join(this.#dirs(id)[0]!, 'cgroup.freeze'), 'utf8').trim() === '1';
      if (this.mode === 'v1')
        return readFileSync(join(this.#dir(id, 'freezer'), 'freezer.state'), 'utf8').trim() !== 'THAWED';
    } catch {
      /* no group */
    }
    return false;
  }

  async freeze(id: string, frozen: boolean): Promise<void> {
    if (this.mode === 'none') throw new Error('pause needs cgroups (no freezer on this machine)');
    // Written from the thread pool: under load the kernel can take a while to answer.
    if (this.mode === 'v2') {
      await writeFile(join(this.#dirs(id)[0]!, 'cgroup.freeze'), frozen ? '1' : '0');
      const events = join(this.#dirs(id)[0]!, 'cgroup.events');
      await until(() => readFileSync(events, 'utf8').includes(`frozen ${frozen ? 1 : 0}`));
      return;
    }
    const stateFile = join(this.#dir(id, 'freezer'), 'freezer.state');
    await writeFile(stateFile, frozen ? 'FROZEN' : 'THAWED');
    await until(() => readFileSync(stateFile, 'utf8').trim() === (frozen ? 'FROZEN' : 'THAWED'));
  }

  /** Kill every process in the sandbox's groups and wait until they are gone. */
  async kill(id: string): Promise<void> {
    if (this.mode === 'none' || !this.exists(id)) return;
    if (this.mode === 'v2') {
      tryWrite(join(this.#dirs(id)[0]!, 'cgroup.kill'), '1');
    } else {
      // Frozen processes cannot fork away from the kill; SIGKILL still reaches frozen tasks once thawed.
      await this.freeze(id, true).catch(() => undefined);
      for (const pid of this.procs(id)) killQuietly(pid);
      await this.freeze(id, false).catch(() => undefined);
    }
    await until(() => {
      const left = this.procs(id);
      for (const pid of left) killQuietly(pid);
      return left.length === 0;
    }, 5000);
  }

  /** Remove the groups (already gone or still busy: left as they are). From the thread pool: an
   * rmdir waits on the kernel's cgroup lock, which every engine's boots and destroys take. */
  async remove(id: string): Promise<void> {
    await Promise.all(this.#dirs(id).map((dir) => rmdir(dir).catch(() => undefined)));
  }
}

export function pidsLimit(resources: SandboxResources): number {
  return Math.max(64, Math.min(4096, 256 * Math.max(1, resources.vcpu)));
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let ok: boolean;
    try {
      ok = check();
    } catch {
      ok = false;
    }
    if (ok) return;
    if (Date.now() > deadline) throw new Error('cgroup operation timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
