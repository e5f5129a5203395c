/**
 * The local runtime: one sandbox = one detached process tree (bwrap, or plain processes with
 * isolation 'none'), its files in `<dataDir>/sandboxes/<id>/`, its limits in cgroups.
 * Layout: meta/ (state.json, deadline, bwrap.args: root-owned), fs/ (the mounted disk image with
 * workspace/, home/user/ and the engine's root-only .hd/ with the agent socket), disk.img, agent.log.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyedLock } from '../lib/locks.ts';
import type {
  CgroupMode,
  IsolationMode,
  ObservedState,
  RunningSandbox,
  Runtime,
  SandboxSpec,
} from './types.ts';
import { Cgroups } from './cgroups.ts';
import { prepareFiles, unmountDisk } from './disk.ts';
import { isHealthy } from './agent-client.ts';
import { launchPlan } from './launch.ts';
import { sandboxNodeBinary } from './node-binary.ts';
import { reattachNetwork, stopSlirp, type NetworkMode } from './network.ts';
import {
  killRecordedNow,
  layoutOf,
  ownsPid,
  pidAlive,
  readState,
  readTail,
  removeSockets,
  writeState,
  type SandboxState,
} from './sandbox-dir.ts';
import { retryEarlyExit, spawnSandbox } from './spawn-sandbox.ts';
import { UID_BASE, UidRegistry } from './uids.ts';
import { rearmWatchdog, stopWatchdog } from './watchdog.ts';

export { UID_BASE } from './uids.ts';

export interface RuntimeOptions {
  dataDir: string;
  isolation: IsolationMode;
  agentDir: string;
  log?: (msg: string) => void;
  /** Per-execution output cap inside the agent (bytes). */
  outputCapBytes?: number;
  /** Host-wide uid registry folder (default /var/lib/hopdeck/uids, or $HOPDECK_UID_REGISTRY). */
  uidRegistry?: string;
}

export class LocalRuntime implements Runtime {
  readonly isolation: IsolationMode;
  readonly cgroups: CgroupMode;
  /** How sandboxes with internet access are networked: own netns + slirp4netns, or the host's (fallback). */
  readonly network: NetworkMode;
  readonly #cg: Cgroups;
  readonly #root: string;
  readonly #log: (msg: string) => void;
  /** Last boot times (ms), for the benchmark and /health. */
  readonly bootTimes = new Map<string, number>();
  readonly #uids: UidRegistry | null;
  #starting = new Map<string, Promise<RunningSandbox>>();
  /** Destroyed ids: a boot queued for one (a warm pool spare at shutdown) must not run after. */
  readonly #destroyed = new Set<string>();
  /** Spares claimed while (or before) they boot: they get the normal CPU weight at once. */
  readonly #foreground = new Set<string>();
  readonly #deadlines = new KeyedLock();
  #closed = false;

  constructor(
    private readonly opts: RuntimeOptions,
    cgroupMode: CgroupMode,
    private readonly seccompFile: string | null,
    network: NetworkMode = 'host',
  ) {
    this.isolation = opts.isolation;
    this.network = opts.isolation === 'bwrap' ? network : 'host';
    this.cgroups = cgroupMode;
    this.#cg = new Cgroups(cgroupMode);
    this.#root = join(opts.dataDir, 'sandboxes');
    this.#log = opts.log ?? (() => undefined);
    mkdirSync(this.#root, { recursive: true, mode: 0o700 });
    if (opts.isolation === 'bwrap') sandboxNodeBinary(opts.dataDir, this.#log); // once per engine start
    this.#uids = opts.isolation === 'bwrap' ? new UidRegistry(opts.uidRegistry) : null;
    this.#uids?.registerFolders(this.#root, this.#log);
  }

  dir(id: string): string {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new Error(`invalid sandbox id: ${id}`);
    return join(this.#root, id);
  }

  socketPath(id: string): string {
    return layoutOf(this.dir(id), this.isolation === 'bwrap').hostSocket;
  }

  #readState(id: string): SandboxState | null {
    return readState(join(this.#root, id));
  }

  #writeState(id: string, st: SandboxState): void {
    writeState(this.dir(id), st);
  }

  /** The sandbox's uid: unique host-wide (bwrap); without isolation it is only a label. */
  #allocUid(dir: string, prior: number | undefined): number {
    if (!this.#uids) return prior ?? UID_BASE + 1;
    return this.#uids.claim(dir, prior);
  }

  start(spec: SandboxSpec): Promise<RunningSandbox> {
    if (this.#closed) return Promise.reject(new Error('the runtime is closed'));
    if (this.#destroyed.has(spec.id)) return Promise.reject(new Error(`sandbox ${spec.id} was destroyed`));
    const pending = this.#starting.get(spec.id);
    if (pending) return pending;
    const p = retryEarlyExit(() => this.#boot(spec), this.#log).finally(() => this.#starting.delete(spec.id));
    this.#starting.set(spec.id, p);
    return p;
  }

  async #boot(spec: SandboxSpec): Promise<RunningSandbox> {
    const started = performance.now();
    const phases: Record<string, number> = {};
    let mark = started;
    const phase = (name: string) => {
      const now = performance.now();
      phases[name] = Math.round((now - mark) * 10) / 10;
      mark = now;
    };
    const dir = this.dir(spec.id);
    const bwrap = this.isolation === 'bwrap';
    const layout = layoutOf(dir, bwrap);
    const prior = this.#readState(spec.id);
    if (prior && (await this.observe(spec.id, prior.pid)) === 'running' && prior.pid) {
      await this.setDeadline(spec.id, spec.expiresAt ?? null);
      return { pid: prior.pid, socketPath: layout.hostSocket };
    }
    // A new sandbox (no folder yet) has nothing to clean up: no process, no cgroup, no slirp4netns
    // (finding an unrecorded one means reading every process's cmdline on the host).
    if (existsSync(dir)) {
      await this.#killTree(spec.id, prior?.pid ?? null);
      await this.#cg.remove(spec.id); // fresh counters (OOM kills) for this boot
    }
    phase('clean');

    mkdirSync(join(dir, 'meta'), { recursive: true, mode: 0o700 });
    const uid = this.#allocUid(dir, prior?.uid);
    phase('uid');
    const fsDir = await prepareFiles(dir, layout, bwrap, spec.resources.disk_mb, uid, prior?.uid);
    phase('disk');

    const privateNet = bwrap && spec.internetAccess && this.network === 'slirp4netns';
    const plan = launchPlan({
      spec,
      isolation: this.isolation,
      uid,
      layout,
      fsDir,
      agentDir: this.opts.agentDir,
      nodePath: bwrap ? sandboxNodeBinary(this.opts.dataDir, this.#log) : process.execPath,
      outputCapBytes: this.opts.outputCapBytes ?? 1024 * 1024,
      privateNet,
      seccompFile: this.seccompFile,
      roBinds: [this.#cg.memoryView(spec.id)].filter((b) => b !== null),
    });
    phase('plan');
    const background = spec.background === true && !this.#foreground.has(spec.id);
    const procsFiles = await this.#cg.create(spec.id, spec.resources, background);
    if (background && this.#foreground.has(spec.id)) await this.#cg.weigh(spec.id, false); // claimed meanwhile
    phase('cgroup');
    const { pid, net } = await spawnSandbox({
      id: spec.id,
      dir,
      layout,
      plan,
      procsFiles,
      socketUid: bwrap ? uid : null,
      log: this.#log,
      onSpawned: (p) => this.#writeState(spec.id, { uid, pid: p }),
      kill: (p) => this.#killTree(spec.id, p),
    });
    phase('agent');
    const bootMs = Math.round(performance.now() - started);
    this.bootTimes.set(spec.id, bootMs);
    this.#writeState(spec.id, { uid, pid, bootMs, bootPhases: phases, ...net });
    await this.setDeadline(spec.id, spec.expiresAt ?? null);
    phase('deadline');
    this.#log(
      `sandbox ${spec.id} booted in ${bootMs} ms (pid ${pid}, uid ${uid}, ${this.isolation}, cgroups ${this.cgroups}; ` +
        `${Object.entries(phases)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')} ms)`,
    );
    return { pid, socketPath: layout.hostSocket };
  }

  /** Cheap, for a burst of claims: one cgroup write from the thread pool, nothing spawned. */
  foreground(id: string): void {
    this.#foreground.add(id);
    // A sandbox still booting gets the weight at its cgroup's creation (#foreground is read there).
    void this.#cg.weigh(id, false);
  }

  /**
   * Move the sandbox's deadline (ISO time, or null for none): the detached watchdog kills the
   * sandbox then, with or without the engine. A watchdog runs only while the sandbox does.
   */
  setDeadline(id: string, expiresAt: string | null): Promise<void> {
    const dir = this.dir(id);
    // One at a time per sandbox: each replaces the watchdog the previous one started.
    return this.#deadlines.run(id, () =>
      rearmWatchdog(dir, id, expiresAt, () => ({
        cgroups: this.cgroups,
        alive: this.isAlive(id),
        ...this.#cg.killTarget(id),
      })),
    );
  }

  /** Does any process of the sandbox still run (cheap: one file read; used to notice a dead agent)? */
  isAlive(id: string): boolean {
    if (this.cgroups !== 'none') return this.#cg.procs(id).length > 0;
    const pid = this.#readState(id)?.pid ?? null;
    return pid !== null && pidAlive(pid) && ownsPid(pid, id);
  }

  async checkAlive(id: string): Promise<boolean> {
    if (this.cgroups !== 'none') return (await this.#cg.procsAsync(id)).length > 0;
    return this.isAlive(id);
  }

  /** Why the sandbox's processes ended, as far as the host can tell. */
  deathCause(id: string): string {
    if (this.#cg.oomKills(id) > 0) return 'it ran out of memory and the kernel ended a process';
    if (/heap out of memory|JavaScript heap/i.test(readTail(join(this.dir(id), 'agent.log'))))
      return 'the agent ran out of memory';
    return 'the agent exited or was killed';
  }

  /**
   * Kill the sandbox's processes synchronously, for an engine that must exit now (a second
   * Ctrl-C): no waiting, no unmounting; the next start's reconcile cleans up the rest.
   */
  killNow(id: string): void {
    const st = this.#readState(id);
    this.#cg.killNow(id);
    if (st) killRecordedNow(st, id);
    stopWatchdog(st?.watchdogPid, id);
  }

  async #killTree(id: string, pid: number | null): Promise<void> {
    if (this.cgroups !== 'none' && this.#cg.exists(id)) await this.#cg.kill(id);
    if (pid !== null && pidAlive(pid)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    const dir = this.dir(id);
    removeSockets(layoutOf(dir, this.isolation === 'bwrap'));
    const st = this.#readState(id);
    stopWatchdog(st?.watchdogPid, id);
    await stopSlirp(st?.slirpPid, dir);
  }

  async stop(id: string): Promise<void> {
    const dir = this.dir(id);
    if (!existsSync(dir)) return;
    await this.#starting.get(id)?.catch(() => undefined);
    await this.#killTree(id, this.#readState(id)?.pid ?? null);
    await this.#cg.remove(id);
    if (this.isolation === 'bwrap') await unmountDisk(dir);
  }

  async pause(id: string): Promise<void> {
    if (this.cgroups === 'none') throw new Error('pause needs a cgroup freezer, which this machine lacks');
    await this.#cg.freeze(id, true);
  }

  async resume(id: string): Promise<void> {
    if (this.cgroups === 'none') throw new Error('resume needs a cgroup freezer, which this machine lacks');
    await this.#cg.freeze(id, false);
  }

  async destroy(id: string): Promise<void> {
    const dir = this.dir(id);
    this.#destroyed.add(id);
    this.#foreground.delete(id);
    // A boot under way may not have made the folder yet: let it settle first, or it would create
    // the folder (and its processes) after this destroy had found nothing to remove.
    await this.#starting.get(id)?.catch(() => undefined);
    if (!existsSync(dir)) return;
    await this.stop(id);
    const st = this.#readState(id);
    // A lazily unmounted disk can keep the folder busy for a moment.
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    if (st && this.#uids) this.#uids.release(dir, st.uid);
  }

  async observe(id: string, pid: number | null): Promise<ObservedState> {
    const dir = this.dir(id);
    if (!existsSync(dir)) return 'missing';
    const inCgroup = this.cgroups !== 'none' && this.#cg.procs(id).length > 0;
    const alive = inCgroup || (pid !== null && pidAlive(pid) && ownsPid(pid, id));
    if (!alive) {
      await stopSlirp(this.#readState(id)?.slirpPid, dir);
      return 'stopped';
    }
    await reattachNetwork(dir, id, this.#log);
    if (this.cgroups !== 'none' && this.#cg.isFrozen(id)) return 'paused';
    return (await isHealthy(this.socketPath(id), 2000)) ? 'running' : 'stopped';
  }

  /** No boot starts after this; boots under way finish (their sandboxes keep running). */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#starting.values()]);
  }
}
