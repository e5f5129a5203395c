/**
 * POST /files/upload: a multipart body (`file`, `path`) streamed to disk with busboy, never held in
 * memory. The file goes to a temporary file on the destination's filesystem (the work directory's
 * when `path` only arrives after the file, as the JS SDK sends it), capped by that filesystem's free
 * space, flushed, then renamed into place once the destination is known and checked. Any failure
 * (too big, disk full, malformed, the client going away) removes the temporary file.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, open, rename, statfs, unlink, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { basename, dirname, join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import {
  checkedApiPath,
  checkWriteTarget,
  fsError,
  makeDirs,
  openForWrite,
  resolvedReal,
} from '../fs-guard.ts';
import { AgentError, type Ctx } from '../http.ts';
import type { AgentState } from '../state.ts';

/** A body that stops arriving for this long is given up (408), its temporary file removed. */
export const UPLOAD_IDLE_MS = 30_000;

const bad = (message: string, code = 'INVALID_REQUEST') => new AgentError(400, code, message);

async function freeBytes(dir: string): Promise<number> {
  const st = await statfs(dir);
  return Number(st.bavail) * Number(st.bsize);
}

function noSpace(api: string, free: number): AgentError {
  return new AgentError(507, 'FILE_OPERATION_FAILED', `No space left for this upload (${free} bytes free)`, {
    path: api,
    free_bytes: free,
  });
}

interface Temp {
  real: string;
  fh: FileHandle;
}

/** A temporary file in `dir` (a real path), created exclusively; mode and owner as a written file. */
async function tempIn(dir: string): Promise<Temp> {
  const real = join(dir, `.upload-${randomBytes(6).toString('hex')}.part`);
  const fh = await open(real, 'wx', 0o644);
  return { real, fh };
}

/** Copy the finished temporary file to a destination on another filesystem, with every write guard. */
async function copyAcross(state: AgentState, temp: Temp, api: string): Promise<void> {
  const fh = await openForWrite(state.cfg, api, true);
  try {
    await pipeline(createReadStream(temp.real), fh.createWriteStream({ autoClose: false }));
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

export interface Uploaded {
  path: string;
  size: number;
}

/** Receive one upload; resolves once the file is in place and flushed. */
export async function receiveUpload(ctx: Ctx, state: AgentState): Promise<Uploaded> {
  const { req } = ctx;
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data'))
    throw bad('Upload must be multipart/form-data with a file field');
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      limits: { files: 1, fields: 16, fieldSize: 8192, parts: 32, headerPairs: 32 },
    });
  } catch (err) {
    throw bad(`Malformed multipart request: ${(err as Error).message}`);
  }
  const defaultDir = state.cfg.workdir;
  let dest: string | undefined;
  let failure: AgentError | undefined;
  let fileName = 'upload';
  let writing: Promise<Temp | undefined> | undefined;
  let size = 0;
  let idle: NodeJS.Timeout | undefined;

  return new Promise<Uploaded>((resolve, reject) => {
    let settled = false;
    const finish = (err: AgentError | null, value?: Uploaded) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      req.off('data', touch);
      if (err) {
        void stopReading(req, ctx, received, err.status === 408).then(() => reject(err));
      } else resolve(value!);
    };
    const fail = (err: unknown) => {
      failure ??= err instanceof AgentError ? err : fsError(err, dest ?? defaultDir);
      parser.destroy();
      // The writer (if any) notices `failure` or the destroyed stream and removes its temp file.
      void (writing ?? Promise.resolve(undefined)).then(
        () => finish(failure!),
        () => finish(failure!),
      );
    };
    let received = 0;
    const touch = (chunk?: Buffer) => {
      received += chunk?.length ?? 0;
      clearTimeout(idle);
      idle = setTimeout(
        () =>
          fail(
            new AgentError(
              408,
              'OPERATION_TIMEOUT',
              `Upload stalled: no data for ${UPLOAD_IDLE_MS / 1000} s`,
            ),
          ),
        UPLOAD_IDLE_MS,
      );
    };
    touch();
    req.on('data', touch);
    req.on('aborted', () => fail(bad('Upload aborted by the client before the body was complete')));
    req.on('error', () => fail(bad('Upload connection failed before the body was complete')));

    parser.on('field', (name, value, info) => {
      if (name !== 'path') return;
      if (info.valueTruncated) return fail(bad('path is longer than 8192 bytes', 'INVALID_PATH'));
      try {
        if (value) dest = checkedApiPath(value);
      } catch (err) {
        fail(err);
      }
    });
    parser.on('file', (name, stream, info) => {
      // Destroying the parser errors the part being read: that is reported through `failure`.
      stream.on('error', () => undefined);
      if (name !== 'file') {
        stream.resume();
        return fail(bad(`Unexpected file field "${name.slice(0, 64)}": the file goes in "file"`));
      }
      if (info.filename) fileName = basename(info.filename) || 'upload';
      writing = writeTemp(stream);
      writing.catch(fail);
    });
    parser.on('filesLimit', () => fail(bad('Exactly one file per upload: got a second file part')));
    parser.on('partsLimit', () => fail(bad('Too many parts in the multipart body')));
    parser.on('fieldsLimit', () => fail(bad('Too many fields in the multipart body')));
    parser.on('error', (err: Error) => fail(bad(`Malformed multipart body: ${err.message}`)));
    parser.on('close', () => {
      if (failure || settled) return;
      // The body is complete: only the move into place is left (bounded by main.ts's deadline).
      clearTimeout(idle);
      req.off('data', touch);
      if (!writing) return fail(bad('file is required', 'MISSING_PARAMETER'));
      void writing.then(async (temp) => {
        if (!temp || failure) return;
        try {
          const path = await place(temp);
          finish(null, { path, size });
        } catch (err) {
          await unlink(temp.real).catch(() => undefined);
          fail(err);
        }
      }, fail);
    });
    req.pipe(parser);

    /** Stream the file part into a temporary file; removes it on any failure. */
    async function writeTemp(stream: Readable): Promise<Temp | undefined> {
      const api = dest ?? defaultDir;
      const dirApi = dest ? dirname(dest) : defaultDir;
      let temp: Temp | undefined;
      try {
        await makeDirs(state.cfg, dirApi);
        const dir = await resolvedReal(state.cfg, dirApi);
        const free = await freeBytes(dir);
        const declared = Number(req.headers['content-length'] ?? 0);
        if (declared > free) throw noSpace(api, free);
        temp = await tempIn(dir);
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          if (failure) break;
          size += chunk.length;
          if (size > free) throw noSpace(api, free);
          await temp.fh.write(chunk);
        }
        if ((stream as Readable & { truncated?: boolean }).truncated) throw noSpace(api, free);
        if (failure) throw failure;
        await temp.fh.datasync();
        await temp.fh.close();
        return temp;
      } catch (err) {
        stream.resume();
        if (temp) {
          await temp.fh.close().catch(() => undefined);
          await unlink(temp.real).catch(() => undefined);
        }
        throw err instanceof AgentError ? err : fsError(err, api);
      }
    }

    /** Check the destination (now known) and move the finished file there. */
    async function place(temp: Temp): Promise<string> {
      const api = dest ?? posix.join(defaultDir, fileName);
      if (api === '/') throw new AgentError(400, 'INVALID_PATH', 'Cannot write to /', { path: api });
      try {
        await makeDirs(state.cfg, dirname(api));
        const target = await checkWriteTarget(state.cfg, api);
        if (target.mode !== undefined) await chmod(temp.real, target.mode).catch(() => undefined);
        try {
          await rename(temp.real, target.real);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
          await copyAcross(state, temp, api);
          await unlink(temp.real);
        }
        return api;
      } catch (err) {
        throw fsError(err, api);
      }
    }
  });
}

/** After a failure, at most this much more of the body is read (and dropped), for this long. */
const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
const DRAIN_MAX_MS = 15_000;

/** Read and drop the rest of the body; true once it ended, false when a bound was hit first. */
function drain(req: IncomingMessage, maxBytes: number): Promise<boolean> {
  return new Promise((resolve) => {
    let seen = 0;
    const done = (complete: boolean) => {
      clearTimeout(timer);
      req.off('data', count);
      req.off('end', ended);
      req.off('close', closed);
      resolve(complete);
    };
    const count = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) done(false);
    };
    const ended = () => done(true);
    const closed = () => done(req.complete);
    const timer = setTimeout(() => done(false), DRAIN_MAX_MS);
    req.on('data', count);
    req.once('end', ended);
    req.once('close', closed);
    req.resume();
  });
}

/**
 * After a failure, the rest of a body of at most DRAIN_MAX_BYTES is read and dropped before the
 * answer, so that the client (and the gateway forwarding it) has sent everything and sees the
 * envelope rather than a reset. A larger body (e.g. a declared size over the free disk) is answered
 * at once, read on within the same bounds, and its connection closed once the answer is out.
 */
async function stopReading(
  req: IncomingMessage,
  ctx: Ctx,
  received: number,
  stalled: boolean,
): Promise<void> {
  req.unpipe();
  if (req.complete || req.destroyed) return;
  const declared = Number(req.headers['content-length'] ?? NaN);
  // A stalled body is answered at once: nothing more is coming.
  const small = !stalled && Number.isFinite(declared) && declared - received <= DRAIN_MAX_BYTES;
  const closeAfterAnswer = () => {
    if (ctx.res.writableFinished) req.socket.destroy();
    else ctx.res.once('finish', () => req.socket.destroy());
  };
  if (stalled) {
    if (!ctx.res.headersSent) ctx.res.setHeader('connection', 'close');
    closeAfterAnswer();
    return;
  }
  if (small) {
    if (!(await drain(req, DRAIN_MAX_BYTES))) {
      if (!ctx.res.headersSent) ctx.res.setHeader('connection', 'close');
      closeAfterAnswer();
    }
    return;
  }
  void drain(req, DRAIN_MAX_BYTES).then((complete) => {
    if (!complete) closeAfterAnswer();
  });
}
