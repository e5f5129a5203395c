/**
 * A sandbox's persistent files (/workspace and /home/user) live on a sparse ext4 image of
 * `disk_mb`, loop-mounted on the host at `<sandbox>/fs`: a real disk cap, kept across stop/start.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MIN_DISK_MB = 64;

export function isMounted(dir: string): boolean {
  const escaped = dir.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[1] === escaped);
}

/** Create (first boot) and mount the image; make the user's directories. */
export function mountDisk(sandboxDir: string, diskMb: number): string {
  const image = join(sandboxDir, 'disk.img');
  const fs = join(sandboxDir, 'fs');
  mkdirSync(fs, { recursive: true });
  if (!existsSync(image)) {
    writeFileSync(image, '');
    truncateSync(image, Math.max(MIN_DISK_MB, diskMb) * 1024 * 1024);
    execFileSync(
      'mkfs.ext4',
      ['-q', '-F', '-m', '0', '-E', 'lazy_itable_init=1,lazy_journal_init=1', image],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
  }
  if (!isMounted(fs)) {
    execFileSync('mount', ['-o', 'loop,nosuid,nodev', image, fs], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  return fs;
}

export function unmountDisk(sandboxDir: string): void {
  const fs = join(sandboxDir, 'fs');
  if (!isMounted(fs)) return;
  try {
    execFileSync('umount', [fs], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch {
    execFileSync('umount', ['-l', fs], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
}

/** The directories every sandbox has, owned by its user. */
export function prepareUserDirs(fs: string, uid: number, withTmp: boolean): void {
  const dirs = ['workspace', 'home', 'home/user', 'home/user/.cache', ...(withTmp ? ['tmp'] : [])];
  for (const d of dirs) {
    const p = join(fs, d);
    mkdirSync(p, { recursive: true });
    if (d !== 'home') chownSync(p, uid, uid);
  }
}
