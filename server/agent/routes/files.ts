/**
 * /files/*: the sandbox's own filesystem (the agent sees nothing else), paths absolute. Every
 * operation refuses the kernel pseudo filesystems and non-regular files (fs-guard.ts), reads and
 * bodies are capped, and nothing here can block the agent (see 0008-hardening).
 */
import { lstat, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import {
  checkedApiPath,
  fsError,
  makeDirs,
  openForRead,
  openForWrite,
  readCapped,
  queryPath,
  resolvedReal,
} from '../fs-guard.ts';
import { AgentError, nowIso, readJson, sendJson, type Ctx, type Router } from '../http.ts';
import type { AgentState } from '../state.ts';
import { listRoute } from './files-list.ts';
import { receiveUpload } from './files-upload.ts';

/** /files/read answers JSON text: beyond this, /files/download streams the bytes. */
export const MAX_READ_BYTES = 16 * 1024 * 1024;

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

async function guarded<T>(path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw fsError(err, path);
  }
}

function fileResponse(ctx: Ctx, path: string, size: number, message: string): void {
  sendJson(ctx, 200, { success: true, path, size, message, timestamp: nowIso() });
}

async function writeChecked(state: AgentState, raw: string, data: Buffer, overwrite: boolean, mode?: string) {
  const api = checkedApiPath(raw);
  if (api === '/') throw new AgentError(400, 'INVALID_PATH', 'Cannot write to /', { path: api });
  await guarded(api, async () => {
    await makeDirs(state.cfg, dirname(api));
    const fh = await openForWrite(state.cfg, api, overwrite);
    try {
      await fh.writeFile(data);
      if (mode) await fh.chmod(parseInt(mode, 8));
      // Flush before answering: when the host disk under the sandbox's image is full, the data
      // fails on its way to the image (ENOSPC → 507), not silently after a 200.
      await fh.datasync();
    } finally {
      await fh.close();
    }
  });
  return api;
}

export function fileRoutes(router: Router, state: AgentState): void {
  listRoute(router, state);

  router.on('GET', '/files/read', async (ctx) => {
    const path = queryPath(ctx);
    const content = await guarded(path, async () => {
      const { fh, size } = await openForRead(state.cfg, path);
      try {
        const tooBig = () =>
          new AgentError(
            413,
            'FILE_OPERATION_FAILED',
            `File too large to read as text (over ${MAX_READ_BYTES} bytes); use /files/download`,
            { path, max_bytes: MAX_READ_BYTES },
          );
        if (size > MAX_READ_BYTES) throw tooBig();
        const { data, overflow } = await readCapped(fh, MAX_READ_BYTES);
        if (overflow) throw tooBig();
        return data;
      } finally {
        await fh.close();
      }
    });
    sendJson(ctx, 200, {
      content: content.toString('utf8'),
      path,
      size: content.length,
      timestamp: nowIso(),
    });
  });

  router.on('GET', '/files/download', async (ctx) => {
    const path = queryPath(ctx);
    const { fh, size } = await guarded(path, () => openForRead(state.cfg, path));
    ctx.res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': size,
      'content-disposition': `attachment; filename="${encodeURIComponent(basename(path))}"`,
      'x-request-id': ctx.requestId,
    });
    if (size === 0 || ctx.req.method === 'HEAD') {
      await fh.close();
      ctx.res.end();
      return;
    }
    // Exactly the size announced, even if the file grows meanwhile.
    await pipeline(fh.createReadStream({ start: 0, end: size - 1 }), ctx.res).catch(() => ctx.res.destroy());
  });

  router.on('POST', '/files/write', async (ctx) => {
    const body = await readJson(ctx, WriteRequest);
    const data =
      body.encoding === 'base64' ? Buffer.from(body.content, 'base64') : Buffer.from(body.content, 'utf8');
    const path = await writeChecked(state, body.path, data, body.overwrite ?? true, body.mode);
    fileResponse(ctx, path, data.length, 'File written');
  });

  router.on('POST', '/files/upload', async (ctx) => {
    const { path, size } = await receiveUpload(ctx, state);
    fileResponse(ctx, path, size, 'File uploaded');
  });

  router.on('GET', '/files/exists', async (ctx) => {
    const path = queryPath(ctx);
    let info: { exists: boolean; is_directory?: boolean } = { exists: false };
    try {
      const st = await stat(await resolvedReal(state.cfg, path));
      info = { exists: true, is_directory: st.isDirectory() };
    } catch (err) {
      if (err instanceof AgentError) throw err;
    }
    sendJson(ctx, 200, { ...info, path, timestamp: nowIso() });
  });

  router.on('POST', '/files/mkdir', async (ctx) => {
    const body = await readJson(ctx, PathRequest);
    const path = checkedApiPath(body.path);
    await guarded(path, () => makeDirs(state.cfg, path));
    fileResponse(ctx, path, 0, 'Directory created');
  });

  router.on('DELETE', '/files/remove', async (ctx) => {
    const path = queryPath(ctx);
    if (path === '/') throw new AgentError(400, 'INVALID_PATH', 'Refusing to remove /', { path });
    await guarded(path, async () => {
      // The entry itself is removed, never what a link at the end points to.
      const real = join(await resolvedReal(state.cfg, dirname(path)), basename(path));
      await lstat(real);
      await rm(real, { recursive: true, force: false });
    });
    fileResponse(ctx, path, 0, 'Removed');
  });
}
