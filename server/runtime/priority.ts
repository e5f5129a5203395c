/**
 * CPU priority of the engine over the sandboxes it runs (decision 0009). During a burst of boots
 * the engine's event loop (which answers /health, creates and every gateway request) and the
 * short helpers it spawns (mkfs, mount) competed as equals with a dozen booting sandboxes, and
 * every `spawn()` blocks the event loop until its child has exec'd: /health p99 reached 440 ms.
 *
 * - The engine's main thread runs at nice ENGINE_NICE (root only; elsewhere it stays as it is).
 *   Children inherit it, which is what the engine's own helpers want.
 * - Everything that does a sandbox's work (its launcher, slirp4netns) is started through
 *   `sandboxNice()`, which puts it back at the nice the engine had before (usually 0).
 * - Warm pool spares boot and idle at a low cgroup CPU weight (cgroups.ts), raised to the normal
 *   weight the moment a create claims one: a burst's own sandboxes run before the pool's refill.
 */
import { getPriority, setPriority } from 'node:os';

export const ENGINE_NICE = -10;

let before: number | null = null;

/** Raise the engine's priority (once per process); returns the nice it now runs at. */
export function preferEngine(log: (msg: string) => void = () => undefined): number {
  const current = getPriority();
  if (before !== null || current <= ENGINE_NICE) return current;
  try {
    setPriority(ENGINE_NICE);
    before = current;
    log(`engine CPU priority: nice ${ENGINE_NICE} (sandboxes run at nice ${current})`);
  } catch {
    // Not root (isolation 'none' as a user): the engine keeps its priority.
  }
  return getPriority();
}

/** Prefix for a command that does a sandbox's work: back at the nice the engine started with. */
export function sandboxNice(): string[] {
  if (before === null) return [];
  const delta = before - getPriority();
  return delta > 0 ? ['/usr/bin/nice', '-n', String(delta)] : [];
}

/** `file args…` run at the sandbox's nice: the command and argv to spawn. */
export function atSandboxNice(file: string, args: string[]): [string, string[]] {
  const pre = sandboxNice();
  return pre.length === 0 ? [file, args] : [pre[0] as string, [...pre.slice(1), file, ...args]];
}
