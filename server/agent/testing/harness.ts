/**
 * Test harness: runs the BUILT agent (dist/agent/agent.mjs, built by the integration global
 * setup) as a real process on a unix socket, with isolation 'none' semantics (API paths under a
 * temporary root), and talks to it over HTTP and WebSocket exactly as the gateway does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';

export const AGENT_BUNDLE = resolve('dist/agent/agent.mjs');

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json: <T = Record<string, unknown>>() => T;
}

export interface AgentHandle {
  socket: string;
  root: string;
  /** What the agent wrote to stderr (its agent.log) so far. */
  log(): string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpReply>;
  stream(first: unknown, onOpen?: (ws: WebSocket) => void, path?: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export function httpOverSocket(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpReply> {
  return new Promise((resolveReply, reject) => {
    const payload =
      body === undefined
        ? undefined
        : Buffer.isBuffer(body)
          ? body
          : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = request(
      { socketPath, method, path, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          resolveReply({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: buf,
            json: <T>() => JSON.parse(buf.toString('utf8')) as T,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Open /execute/stream, send the first frame, collect every frame until the socket closes. */
export function streamOverSocket(
  socketPath: string,
  first: unknown,
  onOpen?: (ws: WebSocket) => void,
  path = '/execute/stream',
): Promise<Record<string, unknown>[]> {
  return new Promise((resolveFrames, reject) => {
    const ws = new WebSocket(`ws+unix://${socketPath}:${path}`);
    const frames: Record<string, unknown>[] = [];
    ws.on('open', () => {
      ws.send(typeof first === 'string' ? first : JSON.stringify(first));
      onOpen?.(ws);
    });
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
    ws.on('close', () => resolveFrames(frames));
    ws.on('error', reject);
  });
}

export async function startAgent(
  opts: { outputCap?: number; warmPython?: boolean } = {},
): Promise<AgentHandle> {
  if (!existsSync(AGENT_BUNDLE))
    throw new Error('agent bundle missing: the integration global setup builds it');
  const dir = mkdtempSync(join(tmpdir(), 'hopdeck-agent-'));
  const socket = join(dir, 'agent.sock');
  const root = join(dir, 'root');
  const args = [AGENT_BUNDLE, '--socket', socket, '--root', root];
  if (opts.outputCap) args.push('--output-cap', String(opts.outputCap));
  if (opts.warmPython !== false) args.push('--warm-python');
  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (existsSync(socket)) {
      try {
        const r = await httpOverSocket(socket, 'GET', '/health');
        if (r.status === 200) break;
      } catch {
        /* not yet */
      }
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`agent did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    socket,
    root,
    log: () => log,
    call: (method, path, body, headers) => httpOverSocket(socket, method, path, body, headers),
    stream: (first, onOpen, path) => streamOverSocket(socket, first, onOpen, path),
    close: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
