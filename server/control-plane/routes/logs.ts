/**
 * `GET /v1/sandboxes/{id}/logs`: the sandbox's own log (`<data>/sandboxes/<id>/agent.log`: the
 * agent's messages and what the processes it started wrote to its stderr), as text, as a download,
 * or followed as Server-Sent Events (decision 0011). The file sits in a folder the sandbox cannot
 * reach, but its content is the sandbox's: it is opened with O_NOFOLLOW|O_NONBLOCK, must be a
 * regular file, and every read is bounded.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError, parseInput } from '../../errors.ts';
import type { SandboxService } from '../sandbox-service.ts';

export const LOG_TAIL_DEFAULT = 64 * 1024;
export const LOG_TAIL_MAX = 1024 * 1024;
export const LOG_DOWNLOAD_MAX = 16 * 1024 * 1024;
const READ_CHUNK = 64 * 1024;
const POLL_MS = 500;
const HEARTBEAT_MS = 15_000;
const MAX_FOLLOWERS = 64;

const Params = z.object({ id: z.string().min(1).max(128) });
const Flag = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((v) => v === 'true' || v === '1');
const Query = z.object({
  tail: z.coerce.number().int().min(0).max(LOG_TAIL_MAX).default(LOG_TAIL_DEFAULT),
  follow: Flag,
  download: Flag,
});

const unavailable = (why: string) =>
  new HttpError(409, 'LOG_UNAVAILABLE', `The sandbox log cannot be read: ${why}`);

/** Where the runtime writes a sandbox's log: `<data>/sandboxes/<id>/agent.log` (the socket is below). */
export function logPath(socketPath: string, id: string): string {
  const marker = `${sep}sandboxes${sep}${id}${sep}`;
  const at = socketPath.lastIndexOf(marker);
  if (at < 0) throw unavailable('unknown sandbox layout');
  return join(socketPath.slice(0, at + marker.length), 'agent.log');
}

/** Open the log without following a symlink or blocking on a FIFO; null when there is none yet. */
export async function openLog(path: string): Promise<{ fh: FileHandle; st: Stats } | null> {
  let fh: FileHandle;
  try {
    fh = await open(
      path,
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY,
    );
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw unavailable('it is a symbolic link');
    throw unavailable(code ?? 'open failed');
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw unavailable('it is not a regular file');
  }
  return { fh, st };
}

async function readRange(fh: FileHandle, from: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, from);
  return buf.subarray(0, bytesRead);
}

/** The last `bytes` of the file, starting at a line boundary when it had to cut. */
async function tail(fh: FileHandle, size: number, bytes: number): Promise<{ text: Buffer; end: number }> {
  const from = Math.max(0, size - bytes);
  let text = await readRange(fh, from, size - from);
  if (from > 0) {
    const nl = text.indexOf(10);
    text = nl >= 0 ? text.subarray(nl + 1) : Buffer.alloc(0);
  }
  return { text, end: from + (size - from) };
}

let followers = 0;
/** Log streams open right now (tests check that a client going away releases its stream). */
export const openLogStreams = () => followers;

function follow(
  req: FastifyRequest,
  reply: FastifyReply,
  path: string,
  fh: FileHandle,
  start: Buffer,
  pos0: number,
) {
  const res = reply.raw;
  reply.hijack();
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
    'x-request-id': String(req.id),
    'x-content-type-options': 'nosniff',
  });
  followers += 1;
  const decoder = new StringDecoder('utf8');
  let pos = pos0;
  let busy = false;
  let closed = false;
  const send = (event: string, data: string) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const sendBytes = (buf: Buffer) => {
    for (let i = 0; i < buf.length; i += READ_CHUNK) {
      const text = decoder.write(buf.subarray(i, i + READ_CHUNK));
      if (text) send('log', text);
    }
  };
  const close = () => {
    if (closed) return;
    closed = true;
    followers -= 1;
    clearInterval(poll);
    clearInterval(beat);
    void fh.close().catch(() => undefined);
    res.end();
  };
  const tick = async () => {
    // skip while a read is running or the client is not keeping up (backpressure)
    if (busy || closed || res.writableNeedDrain) return;
    busy = true;
    try {
      const st = await fh.stat();
      const onDisk = await lstat(path).catch(() => null);
      if (!onDisk || onDisk.ino !== st.ino || !onDisk.isFile()) {
        send('end', 'The log file was removed or replaced');
        return close();
      }
      if (st.size < pos) {
        pos = 0;
        send('reset', '');
      }
      if (st.size > pos) {
        const chunk = await readRange(fh, pos, Math.min(st.size - pos, 4 * READ_CHUNK));
        pos += chunk.length;
        if (!closed) sendBytes(chunk);
      }
    } catch {
      close();
    } finally {
      busy = false;
    }
  };
  res.write(': hopdeck log stream\n\n');
  sendBytes(start);
  const poll = setInterval(() => void tick(), POLL_MS);
  const beat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  // the response's close is the client going away (the request's may come early, once it is read)
  res.on('close', close);
  res.on('error', close);
}

export async function logRoutes(app: FastifyInstance, opts: { svc: SandboxService }) {
  app.get('/v1/sandboxes/:id/logs', async (req, reply) => {
    const { id } = parseInput(Params, req.params, 'path');
    const q = parseInput(Query, req.query, 'query');
    opts.svc.require(id);
    const path = logPath(opts.svc.deps.runtime.socketPath(id), id);
    if (q.follow && followers >= MAX_FOLLOWERS)
      throw new HttpError(503, 'SERVICE_UNAVAILABLE', 'Too many log streams are open; close one and retry');
    const opened = await openLog(path);
    const limit = q.download ? LOG_DOWNLOAD_MAX : q.tail;
    let text: Buffer = Buffer.alloc(0);
    let end = 0;
    if (opened) {
      try {
        ({ text, end } = await tail(opened.fh, opened.st.size, limit));
      } catch (err) {
        await opened.fh.close();
        throw err;
      }
    }
    if (q.follow) {
      if (!opened) throw unavailable('the sandbox has not written a log yet');
      return follow(req, reply, path, opened.fh, text, end);
    }
    await opened?.fh.close();
    reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    if (q.download) reply.header('content-disposition', `attachment; filename="${id}.log"`);
    return reply.type('text/plain; charset=utf-8').send(text);
  });
}
