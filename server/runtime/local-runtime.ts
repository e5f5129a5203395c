/**
 * The local runtime: one sandbox = one detached process tree (bwrap, or plain processes with
 * isolation 'none'), its files in `<dataDir>/sandboxes/<id>/`, its limits in cgroups.
 * Layout: meta/ (agent.json, state.json: root-owned), run/agent.sock, fs/ (the mounted disk image
 * with workspace/ and home/user/), disk.img, agent.log.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  writeFileSync,
  chownSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type {
  CgroupMode,
  IsolationMode,
  ObservedState,
  RunningSandbox,
  Runtime,
  SandboxSpec,
} from './types.ts';
import { Cgroups } from './cgroups.ts';
import { bwrapArgs, sandboxNodePath } from './bwrap.ts';
import { mountDisk, prepareUserDirs, unmountDisk } from './disk.ts';
import { isHealthy, waitForAgent } from './agent-client.ts';
import { attachNetwork, reattachNetwork, stopSlirp, type NetworkMode } from './network.ts';
import {
  hostSocket,
  innerSocket,
  linkSocket,
  ownsPid,
  pidAlive,
  readState,
  readTail,
  removeSockets,
  writeState,
  type SandboxState,
} from './sandbox-dir.ts';

export const UID_BASE = 100_000;
const BOOT_TIMEOUT_MS = 30_000;

export interface RuntimeOptions {
  dataDir: string;
  isolation: IsolationMode;
  agentDir: string;
  log?: (msg: string) => void;
  /** Per-execution output cap inside the agent (bytes). */
  outputCapBytes?: number;
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
  #uidsTaken = new Set<number>();
  #starting = new Map<string, Promise<RunningSandbox>>();

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
    for (const id of readdirSync(this.#root)) {
      const st = this.#readState(id);
      if (st) this.#uidsTaken.add(st.uid);
    }
  }

  dir(id: string): string {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new Error(`invalid sandbox id: ${id}`);
    return join(this.#root, id);
  }

  socketPath(id: string): string {
    return hostSocket(this.dir(id));
  }

  #readState(id: string): SandboxState | null {
    return readState(join(this.#root, id));
  }

  #writeState(id: string, st: SandboxState): void {
    writeState(this.dir(id), st);
  }

  #allocUid(id: string): number {
    const existing = this.#readState(id);
    if (existing) return existing.uid;
    let uid = UID_BASE + 1;
    while (this.#uidsTaken.has(uid)) uid += 1;
    this.#uidsTaken.add(uid);
    return uid;
  }

  start(spec: SandboxSpec): Promise<RunningSandbox> {
    const pending = this.#starting.get(spec.id);
    if (pending) return pending;
    const p = this.#bootRetryingEarlyExit(spec).finally(() => this.#starting.delete(spec.id));
    this.#starting.set(spec.id, p);
    return p;
  }

  /**
   * bwrap now and then fails while it sets up the namespaces (seen here under parallel boots:
   * "loopback: Failed RTM_NEWADDR: No child processes"). A boot whose process exited before its
   * agent came up is tried once more; a second failure is reported.
   */
  async #bootRetryingEarlyExit(spec: SandboxSpec): Promise<RunningSandbox> {
    try {
      return await this.#boot(spec);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes('(process exited)')) throw err;
      this.#log(`${err.message}; trying once more`);
      return this.#boot(spec);
    }
  }

  async #boot(spec: SandboxSpec): Promise<RunningSandbox> {
    const started = performance.now();
    const dir = this.dir(spec.id);
    const socket = this.socketPath(spec.id);
    const prior = this.#readState(spec.id);
    if (prior && (await this.observe(spec.id, prior.pid)) === 'running' && prior.pid)
      return { pid: prior.pid, socketPath: socket };
    await this.#killTree(spec.id, prior?.pid ?? null);

    mkdirSync(join(dir, 'meta'), { recursive: true, mode: 0o700 });
    const uid = this.#allocUid(spec.id);
    const bwrap = this.isolation === 'bwrap';
    const fsDir = bwrap ? await mountDisk(dir, spec.resources.disk_mb) : join(dir, 'fs');
    prepareUserDirs(fsDir, bwrap ? uid : (process.getuid?.() ?? 0), !bwrap);
    mkdirSync(join(dir, 'run'), { recursive: true });
    if (bwrap) chownSync(join(dir, 'run'), uid, uid);
    rmSync(socket, { force: true });
    rmSync(innerSocket(dir), { force: true });

    const agentConfig = {
      socketPath: bwrap ? '/run/hopdeck/agent.sock' : innerSocket(dir),
      fsRoot: bwrap ? '/' : fsDir,
      python: '/usr/bin/python3',
      bridgePath: bwrap ? '/opt/hopdeck/bridge.py' : join(this.opts.agentDir, 'bridge.py'),
      warmPython: spec.warmPython,
      outputCapBytes: this.opts.outputCapBytes ?? 1024 * 1024,
      env: spec.env,
      sandboxId: spec.id,
      workdir: '/workspace',
      resources: spec.resources,
    };
    const configFile = join(dir, 'meta', 'agent.json');
    writeFileSync(configFile, JSON.stringify(agentConfig), { mode: 0o644 });
    const privateNet = bwrap && spec.internetAccess && this.network === 'slirp4netns';
    const resolvConf = join(dir, 'meta', 'resolv.conf');
    if (privateNet) writeFileSync(resolvConf, 'nameserver 10.0.2.3\n', { mode: 0o644 });

    const procsFiles = this.#cg.create(spec.id, spec.resources);
    const logFd = openSync(join(dir, 'agent.log'), 'a');
    const seccompFd = bwrap && this.seccompFile ? openSync(this.seccompFile, 'r') : null;
    const infoFd = privateNet ? (seccompFd === null ? 3 : 4) : null;
    let command: string[];
    if (bwrap) {
      const args = bwrapArgs({
        id: spec.id,
        uid,
        sandboxDir: dir,
        fsDir,
        agentDir: this.opts.agentDir,
        nodePath: process.execPath,
        hostNetwork: bwrap && spec.internetAccess && !privateNet,
        infoFd,
        resolvConf: privateNet ? resolvConf : null,
        tmpBytes: Math.max(64, Math.min(1024, Math.floor(spec.resources.memory_mb / 2))) * 1024 * 1024,
        seccompFd: seccompFd === null ? null : 3,
        roBinds: [this.#cg.memoryView(spec.id)].filter((b) => b !== null),
        command: [
          sandboxNodePath(process.execPath),
          '/opt/hopdeck/agent.mjs',
          '--config',
          '/run/hopdeck-agent.json',
        ],
      });
      command = ['bwrap', ...args];
    } else {
      command = [process.execPath, join(this.opts.agentDir, 'agent.mjs'), '--config', configFile];
    }
    // Join the cgroups before exec, so every descendant is counted and frozen with the sandbox.
    const joinScript = 'umask 022; for f in $0; do [ "$f" = - ] || echo $$ > "$f"; done; exec "$@"';
    const child = spawn('/bin/sh', ['-c', joinScript, procsFiles.join(' ') || '-', ...command], {
      detached: true,
      stdio: [
        'ignore',
        logFd,
        logFd,
        ...(seccompFd === null ? [] : [seccompFd]),
        ...(privateNet ? ['pipe' as const] : []),
      ],
      env: bwrap
        ? { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }
        : { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: join(fsDir, 'home', 'user') },
    });
    closeSync(logFd);
    if (seccompFd !== null) closeSync(seccompFd);
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new Error('could not spawn the sandbox process');
    let exited = false;
    child.on('exit', () => (exited = true));
    this.#writeState(spec.id, { uid, pid });
    // The network comes up while the agent boots: slirp4netns joins the namespace bwrap reports.
    const netReady =
      infoFd === null
        ? Promise.resolve(null)
        : attachNetwork(dir, child.stdio[infoFd] as Readable, this.#log);
    netReady.catch(() => undefined);

    const failure = await waitForAgent(
      socket,
      () => linkSocket(dir, bwrap ? uid : null),
      () => exited,
      BOOT_TIMEOUT_MS,
    );
    if (failure) {
      await netReady.catch(() => undefined);
      await this.#killTree(spec.id, pid);
      throw new Error(`sandbox ${spec.id} did not boot (${failure}): ${readTail(join(dir, 'agent.log'))}`);
    }
    let net: { netPid: number; slirpPid: number } | null;
    try {
      net = await netReady;
    } catch (err) {
      await this.#killTree(spec.id, pid);
      throw new Error(`sandbox ${spec.id} did not boot (network: ${(err as Error).message})`, { cause: err });
    }
    const bootMs = Math.round(performance.now() - started);
    this.bootTimes.set(spec.id, bootMs);
    this.#writeState(spec.id, { uid, pid, bootMs, ...net });
    this.#log(
      `sandbox ${spec.id} booted in ${bootMs} ms (pid ${pid}, uid ${uid}, ${this.isolation}, cgroups ${this.cgroups})`,
    );
    return { pid, socketPath: socket };
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
    removeSockets(this.dir(id));
    await stopSlirp(this.#readState(id)?.slirpPid, this.dir(id));
  }

  async stop(id: string): Promise<void> {
    const dir = this.dir(id);
    if (!existsSync(dir)) return;
    await this.#starting.get(id)?.catch(() => undefined);
    await this.#killTree(id, this.#readState(id)?.pid ?? null);
    this.#cg.remove(id);
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
    if (!existsSync(dir)) return;
    await this.stop(id);
    const st = this.#readState(id);
    if (st) this.#uidsTaken.delete(st.uid);
    rmSync(dir, { recursive: true, force: true });
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

  async close(): Promise<void> {
    await Promise.allSettled([...this.#starting.values()]);
  }
}
