/**
 * Safe file access for /files/*: which paths a file operation makes sense on, opening only
 * regular files (without blocking on a FIFO or following a link into a pseudo filesystem), reads
 * with a hard cap, and a bounded `mkdir -p` (Node's recursive mkdir never returns on /proc).
 */
import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import type { AgentConfig } from './config.ts';
import { realPath } from './config.ts';
import { AgentError, type Ctx } from './http.ts';

/** Kernel pseudo filesystems: reading them can block or never end, writing them makes no sense. */
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];

export function isPseudoPath(path: string): boolean {
  return PSEUDO_ROOTS.some((root) => path === root || path.startsWith(`${root}/`));
}

function refuse(path: string): AgentError {
  return new AgentError(
    403,
    'PATH_NOT_ALLOWED',
    `File operations are not supported on ${path}: /proc, /sys and /dev are kernel pseudo filesystems`,
    { path },
  );
}

/** Validate an API path (absolute, no NUL, not in a pseudo filesystem); returns it normalised. */
export function checkedApiPath(raw: string): string {
  if (raw.includes('\0')) throw new AgentError(400, 'INVALID_PATH', 'Path contains a NUL byte');
  if (!raw.startsWith('/'))
    throw new AgentError(400, 'INVALID_PATH', `Path must be absolute: ${raw}`, { path: raw });
  if (raw.length > 4096) throw new AgentError(400, 'INVALID_PATH', 'Path longer than 4096 characters');
  const path = posix.normalize(raw);
  if (isPseudoPath(path)) throw refuse(path);
  return path;
}

/**
 * The real path behind an API path, links resolved as far as the path exists, refused when it
 * lands in a pseudo filesystem (a link /workspace/z → /dev/zero).
 */
export async function resolvedReal(cfg: AgentConfig, api: string): Promise<string> {
  let probe = realPath(cfg, api);
  const tail: string[] = [];
  for (let depth = 0; depth < 4096; depth++) {
    try {
      const real = join(await realpath(probe), ...tail);
      if (isPseudoPath(real)) throw refuse(api);
      return real;
    } catch (err) {
      if (err instanceof AgentError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || probe === '/') throw err;
      tail.unshift(basename(probe));
      probe = dirname(probe);
    }
  }
  throw new AgentError(400, 'INVALID_PATH', `Path too deep: ${api}`, { path: api });
}

function kindOf(st: Stats): string {
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** After open: the file really opened (by its fd) must be regular and outside the pseudo filesystems. */
async function checkOpened(fh: FileHandle, api: string): Promise<Stats> {
  const st = await fh.stat();
  if (st.isDirectory()) throw new AgentError(400, 'INVALID_PATH', `Is a directory: ${api}`, { path: api });
  if (!st.isFile())
    throw new AgentError(400, 'INVALID_PATH', `Not a regular file (${kindOf(st)}): ${api}`, { path: api });
  const opened = await readlink(`/proc/self/fd/${fh.fd}`).catch(() => null);
  if (opened !== null && isPseudoPath(opened)) throw refuse(api);
  return st;
}

const OPEN_COMMON = constants.O_NONBLOCK | constants.O_NOCTTY;

/** Open a regular file for reading (never blocks: O_NONBLOCK, then the type is checked). */
export async function openForRead(cfg: AgentConfig, api: string): Promise<{ fh: FileHandle; size: number }> {
  const real = await resolvedReal(cfg, api);
  const fh = await open(real, constants.O_RDONLY | OPEN_COMMON);
  try {
    const st = await checkOpened(fh, api);
    return { fh, size: st.size };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** Open (creating) a regular file for writing; truncation happens only once it is known regular. */
export async function openForWrite(cfg: AgentConfig, api: string, overwrite: boolean): Promise<FileHandle> {
  const real = await resolvedReal(cfg, api);
  const flags = constants.O_WRONLY | constants.O_CREAT | OPEN_COMMON | (overwrite ? 0 : constants.O_EXCL);
  const fh = await open(real, flags, 0o644);
  try {
    await checkOpened(fh, api);
    await fh.truncate(0);
    return fh;
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/**
 * Where a finished file may be renamed to: the real path (links before the last component resolved,
 * pseudo filesystems refused) and the mode of the regular file it replaces. Anything there that is
 * not a regular file is refused as `openForWrite` would. A rename never follows a link at the end.
 */
export async function checkWriteTarget(
  cfg: AgentConfig,
  api: string,
): Promise<{ real: string; mode?: number }> {
  const real = await resolvedReal(cfg, api);
  const st = await lstat(real).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (st === null || st.isSymbolicLink()) return { real };
  if (st.isDirectory()) throw new AgentError(400, 'INVALID_PATH', `Is a directory: ${api}`, { path: api });
  if (!st.isFile())
    throw new AgentError(400, 'INVALID_PATH', `Not a regular file (${kindOf(st)}): ${api}`, { path: api });
  return { real, mode: st.mode & 0o7777 };
}

/**
 * Read at most `cap` bytes of an open file; `overflow` is true when there was more. Reads in
 * chunks, so a file that grows while being read (or lies about its size) cannot bloat the agent.
 */
export async function readCapped(fh: FileHandle, cap: number): Promise<{ data: Buffer; overflow: boolean }> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const want = Math.min(1024 * 1024, cap + 1 - total);
    const buf = Buffer.allocUnsafe(want);
    const { bytesRead } = await fh.read(buf, 0, want, null);
    if (bytesRead === 0) break;
    chunks.push(buf.subarray(0, bytesRead));
    total += bytesRead;
    if (total > cap) return { data: Buffer.concat(chunks).subarray(0, cap), overflow: true };
  }
  return { data: Buffer.concat(chunks), overflow: false };
}

/**
 * `mkdir -p` one component at a time (bounded by the path's depth), refusing pseudo filesystems
 * also behind links. Node's `mkdir({recursive:true})` loops for ever on /proc/x.
 */
export async function makeDirs(cfg: AgentConfig, api: string): Promise<void> {
  const real = await resolvedReal(cfg, api);
  if (isPseudoPath(real)) throw refuse(api);
  let current = '';
  for (const part of api.split('/').filter(Boolean)) {
    current = `${current}/${part}`;
    const target = realPath(cfg, current);
    try {
      await mkdir(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const st = await stat(target).catch(() => lstat(target));
      if (!st.isDirectory()) {
        throw new AgentError(400, 'DIRECTORY_NOT_FOUND', `Not a directory: ${current}`, { path: current });
      }
    }
  }
}

export function queryPath(ctx: Ctx, fallback?: string): string {
  const p = ctx.url.searchParams.get('path') ?? fallback;
  if (p === undefined || p === '') throw new AgentError(400, 'MISSING_PARAMETER', 'path is required');
  return checkedApiPath(p);
}

export function fsError(err: unknown, path: string): AgentError {
  if (err instanceof AgentError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const e = (status: number, c: string, message: string) => new AgentError(status, c, message, { path });
  if (code === 'ENOENT') return e(404, 'FILE_NOT_FOUND', `File not found: ${path}`);
  if (code === 'ENOTDIR') return e(400, 'DIRECTORY_NOT_FOUND', `Not a directory: ${path}`);
  if (code === 'EISDIR') return e(400, 'INVALID_PATH', `Is a directory: ${path}`);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return e(403, 'PERMISSION_DENIED', `Permission denied: ${path}`);
  if (code === 'EEXIST') return e(409, 'FILE_ALREADY_EXISTS', `File already exists: ${path}`);
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return e(507, 'FILE_OPERATION_FAILED', `No space left writing ${path}`);
  if (code === 'ELOOP') return e(400, 'INVALID_PATH', `Too many levels of symbolic links: ${path}`);
  if (code === 'ENAMETOOLONG') return e(400, 'INVALID_PATH', `Name too long: ${path}`);
  if (code === 'EBUSY') return e(409, 'FILE_OPERATION_FAILED', `Busy (a mount point?): ${path}`);
  if (code === 'ENXIO' || code === 'ENODEV')
    return e(400, 'INVALID_PATH', `Not a regular file (no such device or reader): ${path}`);
  return e(500, 'FILE_OPERATION_FAILED', `File operation failed on ${path}: ${code ?? String(err)}`);
}
