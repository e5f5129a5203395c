/**
 * A sandbox's persistent files (/workspace and /home/user) live on a sparse ext4 image of
 * `disk_mb`, loop-mounted on the host at `<sandbox>/fs`: a real disk cap, kept across stop/start.
 */
import { chownSync, existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeSockets, type SandboxLayout } from './sandbox-dir.ts';
import { runCommand } from './spawner.ts';

const MIN_DISK_MB = 64;
// Through the spawn helper: boots (pool refills included) must never stall the engine's event loop.
const run = (cmd: string, args: string[]) => runCommand([cmd, ...args]);

/** The mount options of `dir` when it is a mount point, else null. */
function mountOptions(dir: string): string[] | null {
  const escaped = dir.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  const line = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .findLast((l) => l.split(' ')[1] === escaped);
  return line ? (line.split(' ')[3] ?? '').split(',') : null;
}

export function isMounted(dir: string): boolean {
  return mountOptions(dir) !== null;
}

/** Create (first boot) and mount the image; make the user's directories. */
export async function mountDisk(sandboxDir: string, diskMb: number): Promise<string> {
  const image = join(sandboxDir, 'disk.img');
  const fs = join(sandboxDir, 'fs');
  mkdirSync(fs, { recursive: true });
  if (!existsSync(image)) {
    writeFileSync(image, '');
    truncateSync(image, Math.max(MIN_DISK_MB, diskMb) * 1024 * 1024);
    await run('mkfs.ext4', ['-q', '-F', '-m', '0', '-E', 'lazy_itable_init=1,lazy_journal_init=1', image]);
  }
  if (mountOptions(fs)?.includes('ro')) {
    // The kernel made it read-only after write errors (the host disk was full): repair it now.
    await unmountDisk(sandboxDir);
    await run('e2fsck', ['-y', image]).catch((err: { code?: unknown }) => {
      if (typeof err.code !== 'number' || err.code >= 4) throw err; // 1-3: errors corrected
    });
  }
  if (!isMounted(fs)) {
    await run('mount', ['-o', 'loop,nosuid,nodev', image, fs]);
  }
  return fs;
}

export async function unmountDisk(sandboxDir: string): Promise<void> {
  const fs = join(sandboxDir, 'fs');
  if (!isMounted(fs)) return;
  try {
    await run('umount', [fs]);
  } catch {
    await run('umount', ['-l', fs]);
  }
}

/**
 * The directories every sandbox has, owned by its user. Only created (and chowned) when missing:
 * the engine, as root, never walks into paths a sandbox controls, where a planted symlink could
 * point it at host files.
 */
export function prepareUserDirs(fs: string, uid: number, withTmp: boolean): void {
  const dirs: [string, boolean][] = [
    ['workspace', true],
    ['home', false],
    ['home/user', true],
    ...(withTmp ? ([['tmp', true]] as [string, boolean][]) : []),
  ];
  mkdirSync(fs, { recursive: true });
  for (const [d, owned] of dirs) {
    const p = join(fs, d);
    if (existsSync(p)) continue;
    mkdirSync(p, { mode: 0o755 });
    if (owned) chownSync(p, uid, uid);
  }
}

/**
 * Give the user's files to a new uid (a sandbox made before uids were unique host-wide, whose
 * uid another engine holds). Runs while the sandbox is down; `chown -R` does not follow symlinks.
 */
export async function rechownUserFiles(fs: string, from: number, to: number): Promise<void> {
  const dirs = ['workspace', join('home', 'user'), join('.hd', 'run')].map((d) => join(fs, d));
  await run('chown', [
    '-R',
    '-P',
    `--from=${from}:${from}`,
    `${to}:${to}`,
    ...dirs.filter((d) => existsSync(d)),
  ]);
}

/**
 * The sandbox's files ready for a boot: with bwrap its image mounted (the user's files given to
 * `uid` when the sandbox had another one), else a plain folder; the user's directories made, no
 * stale agent socket. Returns the files' root.
 */
export async function prepareFiles(
  dir: string,
  layout: SandboxLayout,
  bwrap: boolean,
  diskMb: number,
  uid: number,
  priorUid: number | undefined,
): Promise<string> {
  const fsDir = bwrap ? await mountDisk(dir, diskMb) : join(dir, 'fs');
  if (bwrap && priorUid !== undefined && priorUid !== uid) await rechownUserFiles(fsDir, priorUid, uid);
  prepareUserDirs(fsDir, bwrap ? uid : (process.getuid?.() ?? 0), !bwrap);
  if (!bwrap) mkdirSync(layout.runDir, { recursive: true });
  removeSockets(layout);
  return fsDir;
}
