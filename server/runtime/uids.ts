/**
 * Sandbox uids, unique host-wide: several engines (data directories) on one host must never hand
 * out the same uid, or their sandboxes would share per-user limits and file ownership. A registry
 * folder (default /var/lib/hopdeck/uids, kept across reboots like the disk images whose files the
 * uid owns) holds one file per uid naming the sandbox folder that owns it. Every change happens
 * under a host-wide lock (an atomic mkdir). An entry whose sandbox folder no longer exists is
 * reused; a uid that is a host account or still runs processes is skipped.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readState } from './sandbox-dir.ts';

export const UID_BASE = 100_000;
export const DEFAULT_UID_REGISTRY = '/var/lib/hopdeck/uids';
const LOCK_STALE_MS = 10_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Uids of the host's own accounts (never handed to a sandbox). */
function hostAccountUids(): Set<number> {
  const text = readText('/etc/passwd') ?? '';
  return new Set(text.split('\n').map((l) => Number(l.split(':')[2])));
}

/** How long one scan of /proc answers "which uids run processes" (a burst of boots shares one). */
const SCAN_TTL_MS = 2000;
let lastScan: { at: number; uids: Set<number> } | null = null;

/**
 * Uids that own a running process: the owner of each `/proc/<pid>` (a process's uid; one stat
 * each, ~1.5 ms for 80 processes here, where reading every `status` through the thread pool cost
 * 16-21 ms of the engine's CPU per boot, and grows with every sandbox on the host). A scan is
 * reused for 2 s: it guards against processes of uids outside the registry (other software in the
 * range), which do not appear between two boots of a burst; the registry itself is exact.
 */
export function uidsWithProcesses(now = Date.now()): Set<number> {
  if (lastScan && now - lastScan.at < SCAN_TTL_MS) return lastScan.uids;
  const uids = new Set<number>();
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) > 57) continue; // not a pid ('self', 'sys', ...)
    try {
      uids.add(statSync(`/proc/${name}`).uid);
    } catch {
      /* ended meanwhile */
    }
  }
  lastScan = { at: now, uids };
  return uids;
}

export class UidRegistry {
  constructor(readonly dir: string = process.env.HOPDECK_UID_REGISTRY ?? DEFAULT_UID_REGISTRY) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  #withLock<T>(fn: () => T): T {
    const lock = join(this.dir, '.lock');
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        mkdirSync(lock);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        // A holder that died mid-allocation leaves the lock behind: it is old after a few seconds.
        const age = Date.now() - (statSafe(lock) ?? Date.now());
        if (age > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
        else if (Date.now() > deadline)
          throw new Error(`uid registry ${this.dir} stays locked`, { cause: err });
        else sleepSync(5);
      }
    }
    try {
      return fn();
    } finally {
      rmdirSync(lock);
    }
  }

  #owner(uid: number): string | null {
    const text = readText(join(this.dir, String(uid)));
    return text === null ? null : text.trim();
  }

  /**
   * The uid of the sandbox folder `owner`: `preferred` (the one its files already carry) when no
   * other live sandbox holds it, else the lowest free uid above UID_BASE.
   */
  claim(owner: string, preferred?: number, withProcesses?: Set<number>): number {
    return this.#withLock(() => {
      if (preferred !== undefined) {
        const holder = this.#owner(preferred);
        if (holder === null || holder === owner || !folderExists(holder)) {
          writeFileSync(join(this.dir, String(preferred)), owner, { mode: 0o600 });
          return preferred;
        }
      }
      const accounts = hostAccountUids();
      let busy: Set<number> | null = null;
      for (let uid = UID_BASE + 1; ; uid++) {
        if (accounts.has(uid)) continue;
        const holder = this.#owner(uid);
        if (holder === owner) return uid;
        if (holder !== null && folderExists(holder)) continue;
        busy ??= withProcesses ?? uidsWithProcesses();
        if (busy.has(uid)) continue;
        writeFileSync(join(this.dir, String(uid)), owner, { mode: 0o600 });
        return uid;
      }
    });
  }

  /**
   * Register the uids of the sandbox folders under `root` (sandboxes made before the host-wide
   * registry); a uid another engine holds is said, and fixed at that sandbox's next start.
   */
  registerFolders(root: string, log: (msg: string) => void): void {
    for (const id of readdirSync(root)) {
      const st = readState(join(root, id));
      if (st && this.claim(join(root, id), st.uid) !== st.uid)
        log(`sandbox ${id}: uid ${st.uid} is taken by another engine; it gets a new uid at its next start`);
    }
  }

  /** Give the uid back once the sandbox folder is gone. */
  release(owner: string, uid: number): void {
    this.#withLock(() => {
      if (this.#owner(uid) === owner) rmSync(join(this.dir, String(uid)), { force: true });
    });
  }
}

function statSafe(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

function folderExists(path: string): boolean {
  return statSafe(path) !== null;
}
