/** /files/*: the sandbox's own filesystem (the agent sees nothing else), paths absolute. */
import { createReadStream } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, posix } from 'node:path';
import { z } from 'zod';
import { realPath } from '../config.ts';
import { checkApiPath } from '../execute.ts';
import {
  AgentError,
  MAX_UPLOAD_BODY,
  nowIso,
  readBody,
  readJson,
  sendJson,
  type Ctx,
  type Router,
} from '../http.ts';
import type { AgentState } from '../state.ts';

const MAX_READ_BYTES = 64 * 1024 * 1024;

const WriteRequest = z.object({
  path: z.string().min(1).max(4096),
  content: z.string(),
  encoding: z.enum(['utf8', 'utf-8', 'text', 'base64']).optional(),
  mode: z
    .string()
    .regex(/^0?[0-7]{3,4}$/)
    .optional(),
  overwrite: z.boolean().optional(),
});
const PathRequest = z.object({ path: z.string().min(1).max(4096) });

function queryPath(ctx: Ctx, fallback?: string): string {
  const p = ctx.url.searchParams.get('path') ?? fallback;
  if (p === undefined || p === '') throw new AgentError(400, 'MISSING_PARAMETER', 'path is required');
  checkApiPath(p);
  return posix.normalize(p);
}

function fsError(err: unknown, path: string): AgentError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new AgentError(404, 'FILE_NOT_FOUND', `File not found: ${path}`, { path });
  if (code === 'ENOTDIR')
    return new AgentError(400, 'DIRECTORY_NOT_FOUND', `Not a directory: ${path}`, { path });
  if (code === 'EISDIR') return new AgentError(400, 'INVALID_PATH', `Is a directory: ${path}`, { path });
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new AgentError(403, 'PERMISSION_DENIED', `Permission denied: ${path}`, { path });
  }
  if (code === 'EEXIST')
    return new AgentError(409, 'FILE_ALREADY_EXISTS', `File already exists: ${path}`, { path });
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new AgentError(507, 'FILE_OPERATION_FAILED', `No space left writing ${path}`, { path });
  return new AgentError(
    500,
    'FILE_OPERATION_FAILED',
    `File operation failed on ${path}: ${code ?? String(err)}`,
    { path },
  );
}

function permString(mode: number, isDir: boolean): string {
  const bits = 'rwxrwxrwx';
  let s = isDir ? 'd' : '-';
  for (let i = 0; i < 9; i++) s += mode & (1 << (8 - i)) ? bits[i] : '-';
  return s;
}

function fileResponse(ctx: Ctx, path: string, size: number, message: string): void {
  sendJson(ctx, 200, { success: true, path, size, message, timestamp: nowIso() });
}

async function writeChecked(
  state: AgentState,
  path: string,
  data: Buffer,
  overwrite: boolean,
  mode?: string,
) {
  checkApiPath(path);
  const api = posix.normalize(path);
  const real = realPath(state.cfg, api);
  try {
    await mkdir(dirname(real), { recursive: true });
    await writeFile(real, data, { flag: overwrite ? 'w' : 'wx' });
    if (mode) await chmod(real, parseInt(mode, 8));
  } catch (err) {
    throw fsError(err, api);
  }
  return api;
}

export function fileRoutes(router: Router, state: AgentState): void {
  router.on('GET', '/files/list', async (ctx) => {
    const path = queryPath(ctx, state.cfg.workdir);
    const real = realPath(state.cfg, path);
    let names: string[];
    try {
      names = await readdir(real);
    } catch (err) {
      throw fsError(err, path);
    }
    const files = [];
    for (const name of names.sort()) {
      const full = posix.join(path, name);
      try {
        const st = await stat(realPath(state.cfg, full));
        const modified = new Date(Math.floor(st.mtimeMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
        const isDir = st.isDirectory();
        files.push({
          name,
          path: full,
          size: isDir ? 0 : st.size,
          is_directory: isDir,
          is_dir: isDir,
          modified_time: modified,
          modified,
          permissions: permString(st.mode, isDir),
          mode: (st.mode & 0o7777).toString(8).padStart(4, '0'),
        });
      } catch {
        /* vanished or a dangling link: skip */
      }
    }
    sendJson(ctx, 200, { files, path, count: files.length, timestamp: nowIso() });
  });

  router.on('GET', '/files/read', async (ctx) => {
    const path = queryPath(ctx);
    const real = realPath(state.cfg, path);
    try {
      const st = await stat(real);
      if (st.isDirectory()) throw new AgentError(400, 'INVALID_PATH', `Is a directory: ${path}`, { path });
      if (st.size > MAX_READ_BYTES) {
        throw new AgentError(
          413,
          'FILE_OPERATION_FAILED',
          `File too large to read as text (${st.size} bytes); use /files/download`,
          { path },
        );
      }
      const content = await readFile(real, 'utf8');
      sendJson(ctx, 200, { content, path, size: st.size, timestamp: nowIso() });
    } catch (err) {
      throw err instanceof AgentError ? err : fsError(err, path);
    }
  });

  router.on('GET', '/files/download', async (ctx) => {
    const path = queryPath(ctx);
    const real = realPath(state.cfg, path);
    let size: number;
    try {
      const st = await stat(real);
      if (st.isDirectory()) throw new AgentError(400, 'INVALID_PATH', `Is a directory: ${path}`, { path });
      size = st.size;
    } catch (err) {
      throw err instanceof AgentError ? err : fsError(err, path);
    }
    ctx.res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': size,
      'content-disposition': `attachment; filename="${encodeURIComponent(basename(path))}"`,
      'x-request-id': ctx.requestId,
    });
    createReadStream(real)
      .on('error', () => ctx.res.destroy())
      .pipe(ctx.res);
  });

  router.on('POST', '/files/write', async (ctx) => {
    const body = await readJson(ctx, WriteRequest);
    const data =
      body.encoding === 'base64' ? Buffer.from(body.content, 'base64') : Buffer.from(body.content, 'utf8');
    const path = await writeChecked(state, body.path, data, body.overwrite ?? true, body.mode);
    fileResponse(ctx, path, data.length, 'File written');
  });

  router.on('POST', '/files/upload', async (ctx) => {
    const type = ctx.req.headers['content-type'] ?? '';
    if (!type.startsWith('multipart/form-data')) {
      throw new AgentError(400, 'INVALID_REQUEST', 'Upload must be multipart/form-data with a file field');
    }
    const raw = await readBody(ctx.req, MAX_UPLOAD_BODY);
    let form: FormData;
    try {
      form = await new Response(raw, { headers: { 'content-type': type } }).formData();
    } catch {
      throw new AgentError(400, 'INVALID_REQUEST', 'Malformed multipart body');
    }
    const file = form.get('file');
    if (!file || typeof file === 'string') throw new AgentError(400, 'MISSING_PARAMETER', 'file is required');
    const dest = form.get('path');
    const target =
      typeof dest === 'string' && dest ? dest : posix.join(state.cfg.workdir, file.name || 'upload');
    const data = Buffer.from(await file.arrayBuffer());
    const path = await writeChecked(state, target, data, true);
    fileResponse(ctx, path, data.length, 'File uploaded');
  });

  router.on('GET', '/files/exists', async (ctx) => {
    const path = queryPath(ctx);
    let info: { exists: boolean; is_directory?: boolean } = { exists: false };
    try {
      const st = await stat(realPath(state.cfg, path));
      info = { exists: true, is_directory: st.isDirectory() };
    } catch {
      /* not there */
    }
    sendJson(ctx, 200, { ...info, path, timestamp: nowIso() });
  });

  router.on('POST', '/files/mkdir', async (ctx) => {
    const body = await readJson(ctx, PathRequest);
    checkApiPath(body.path);
    const path = posix.normalize(body.path);
    try {
      await mkdir(realPath(state.cfg, path), { recursive: true });
    } catch (err) {
      throw fsError(err, path);
    }
    fileResponse(ctx, path, 0, 'Directory created');
  });

  router.on('DELETE', '/files/remove', async (ctx) => {
    const path = queryPath(ctx);
    if (path === '/') throw new AgentError(400, 'INVALID_PATH', 'Refusing to remove /', { path });
    const real = realPath(state.cfg, path);
    try {
      await stat(real);
      await rm(real, { recursive: true, force: false });
    } catch (err) {
      throw fsError(err, path);
    }
    fileResponse(ctx, path, 0, 'Removed');
  });
}
