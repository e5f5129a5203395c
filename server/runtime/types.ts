/**
 * The contract between the control plane and the sandbox runtime. The control plane owns records,
 * ids, tokens and the warm pool; the runtime owns processes, filesystems and cgroups. Everything
 * the runtime knows about a sandbox lives in `<dataDir>/sandboxes/<id>/`.
 */
import type { SandboxResources } from '../../contract/schemas.ts';

export type IsolationMode = 'bwrap' | 'none';
export type CgroupMode = 'v2' | 'v1' | 'none';
/**
 * How a sandbox with internet access is networked: its own network namespace with user-mode NAT
 * (`slirp4netns`, no access to the host's loopback), or the host's namespace (fallback when
 * slirp4netns is missing, and always with isolation 'none').
 */
export type NetworkMode = 'slirp4netns' | 'host';

export interface SandboxSpec {
  id: string;
  /** Template name; built-in templates use the host system as their lower layer. */
  template: string;
  resources: SandboxResources;
  internetAccess: boolean;
  /** Environment of the agent and every process it starts (the sandbox's global env). */
  env: Record<string, string>;
  /** Start the Python kernel at boot so the first cell is warm (code-interpreter, python). */
  warmPython: boolean;
  /** ISO time at which the sandbox must stop, engine or not (see `Runtime.setDeadline`). */
  expiresAt?: string | null;
  /** A warm pool spare: boots and idles at a low CPU weight until `Runtime.foreground` (claimed). */
  background?: boolean;
}

export interface RunningSandbox {
  /** Host pid of the sandbox's init process (bwrap), used to re-attach after an engine restart. */
  pid: number;
  /** Unix socket of the agent, on the host side. HTTP and WebSocket over it speak the agent API. */
  socketPath: string;
}

/** What the runtime finds when it looks at a sandbox, used to reconcile records on engine start. */
export type ObservedState = 'running' | 'paused' | 'stopped' | 'missing';

export interface Runtime {
  readonly isolation: IsolationMode;
  readonly cgroups: CgroupMode;
  readonly network: NetworkMode;
  /** Boot the sandbox (fresh, or again on its kept files) and resolve once its agent answers /health. */
  start(spec: SandboxSpec): Promise<RunningSandbox>;
  /** Give a sandbox booted `background` (a claimed spare) the normal CPU weight, now or at its boot. */
  foreground(id: string): void;
  /** Kill the process tree; keep the sandbox's files. Idempotent. */
  stop(id: string): Promise<void>;
  /** Freeze every process of the sandbox (RAM kept, agent unreachable). */
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Kill and remove everything the sandbox had. Idempotent. */
  destroy(id: string): Promise<void>;
  /**
   * Move the deadline at which a detached watchdog kills the sandbox's processes (null: none),
   * so a sandbox stops at its expires_at even while the engine is down.
   */
  setDeadline(id: string, expiresAt: string | null): Promise<void>;
  /** Does any process of the sandbox run? (cheap; how the control plane notices a dead agent) */
  isAlive(id: string): boolean;
  /** The same, without blocking the event loop (the per-second agent watch uses it). */
  checkAlive(id: string): Promise<boolean>;
  /** Why a sandbox's processes ended, in words for error messages (e.g. out of memory). */
  deathCause(id: string): string;
  /** Kill the sandbox's processes synchronously (an engine forced to exit now). */
  killNow(id: string): void;
  /** Look at what really exists for a sandbox (after an engine restart). */
  observe(id: string, pid: number | null): Promise<ObservedState>;
  /** Host-side path of the agent's socket (exists only while running). */
  socketPath(id: string): string;
  /** Release runtime resources of the engine itself (not the sandboxes, which outlive it). */
  close(): Promise<void>;
}
