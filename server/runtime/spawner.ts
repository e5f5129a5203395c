/**
 * Every process the runtime starts (mkfs, mount, the sandbox launcher, slirp4netns, watchdogs)
 * goes through one small helper process that uses posix_spawn (spawn-helper.ts): Node's spawn()
 * forks the engine, which blocks its event loop for tens to hundreds of ms per process (decision
 * 0009). Without python3 the runtime falls back to Node's spawn, with the same behaviour.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Socket } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import { SPAWN_HELPER } from './spawn-helper.ts';

const PYTHON = '/usr/bin/python3';

export interface SpawnRequest {
  argv: string[];
  env?: Record<string, string>;
  /** File that gets stdout and stderr (appended); default /dev/null. */
  out?: string;
  /** Files opened read-only for the child at fd 3, 4, … */
  fds?: string[];
  /** A pipe from the child at the fd after `fds`, readable as `pipe`. */
  pipe?: boolean;
  /** Its own session and process group (kill(-pid) ends the group). */
  detached?: boolean;
}

export interface Exit {
  code: number | null;
  signal: number | null;
  output?: string;
}

export interface Spawned {
  pid: number;
  pipe: Readable | null;
  /** Stop reading the pipe (the child may keep it open). */
  closePipe(): void;
  exited: Promise<Exit>;
}

interface Entry {
  onPid: (pid: number) => void;
  onError: (err: Error) => void;
  onExit: (e: Exit) => void;
  pipe: PassThrough | null;
  /** A run to its end (captured): the engine waits for the exit, not only the pid. */
  waitExit: boolean;
  /** Still waiting for the pid, or for a run's exit: keeps the engine alive meanwhile. */
  waiting: boolean;
}

class Helper {
  readonly #child: ChildProcess;
  readonly #entries = new Map<number, Entry>();
  #next = 1;
  #buf = '';
  #dead = false;

  constructor() {
    this.#child = spawn(PYTHON, ['-I', '-c', SPAWN_HELPER], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.#child.on('error', () => this.#fail(new Error('the spawn helper could not start')));
    this.#child.on('exit', () => this.#fail(new Error('the spawn helper exited')));
    this.#child.stdin?.on('error', () => undefined);
    this.#child.stdout?.setEncoding('utf8').on('data', (d: string) => this.#read(d));
    this.#child.unref();
    this.#ref();
  }

  get dead(): boolean {
    return this.#dead;
  }

  /** Keep the engine alive only while a request waits for its answer. */
  #ref(): void {
    const open = (e: Entry) => e.pipe !== null && !e.pipe.writableEnded;
    const waiting = [...this.#entries.values()].some((e) => e.waiting || open(e));
    for (const s of [this.#child.stdin, this.#child.stdout] as unknown as Socket[]) {
      if (waiting) s.ref();
      else s.unref();
    }
  }

  #fail(err: Error): void {
    if (this.#dead) return;
    this.#dead = true;
    for (const e of this.#entries.values()) {
      e.onError(err);
      e.pipe?.end();
    }
    this.#entries.clear();
  }

  #read(d: string): void {
    this.#buf += d;
    let nl: number;
    while ((nl = this.#buf.indexOf('\n')) >= 0) {
      const msg = JSON.parse(this.#buf.slice(0, nl)) as Record<string, unknown> & { id: number };
      this.#buf = this.#buf.slice(nl + 1);
      const e = this.#entries.get(msg.id);
      if (!e) continue;
      if (typeof msg.pid === 'number') {
        if (!e.waitExit) e.waiting = false;
        e.onPid(msg.pid);
      } else if (typeof msg.error === 'string') {
        this.#entries.delete(msg.id);
        e.onError(new Error(msg.error));
      } else if (typeof msg.data === 'string') {
        if (e.pipe && !e.pipe.writableEnded) e.pipe.write(msg.data);
      } else if (msg.eof) e.pipe?.end();
      else if ('exit' in msg) {
        this.#entries.delete(msg.id);
        e.pipe?.end();
        const output = typeof msg.output === 'string' ? { output: msg.output } : {};
        e.onExit({ code: msg.exit as number | null, signal: msg.signal as number | null, ...output });
      }
      this.#ref();
    }
  }

  send(req: Record<string, unknown>, entry: Omit<Entry, 'waiting'>): number {
    const id = this.#next++;
    this.#entries.set(id, { ...entry, waiting: true });
    this.#ref();
    this.#child.stdin?.write(`${JSON.stringify({ ...req, id })}\n`);
    return id;
  }

  close(id: number): void {
    this.#entries.get(id)?.pipe?.end();
    this.#ref();
    if (!this.#dead) this.#child.stdin?.write(`${JSON.stringify({ op: 'close', id })}\n`);
  }
}

let helper: Helper | null = null;
let unavailable = false;

function getHelper(): Helper | null {
  if (unavailable) return null;
  if (!helper || helper.dead) {
    try {
      helper = new Helper();
    } catch {
      unavailable = true;
      return null;
    }
  }
  return helper;
}

function viaHelper(h: Helper, req: SpawnRequest, capture: boolean): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const pipe = req.pipe ? new PassThrough() : null;
    let onExit: (e: Exit) => void = () => undefined;
    let onExitError: (err: Error) => void = () => undefined;
    const exited = new Promise<Exit>((res, rej) => {
      onExit = res;
      onExitError = rej;
    });
    exited.catch(() => undefined);
    let id = 0;
    let gotPid = false;
    id = h.send(
      { ...req, capture },
      {
        pipe,
        onPid: (pid) => {
          gotPid = true;
          resolve({ pid, pipe, closePipe: () => h.close(id), exited });
        },
        onError: (err) => (gotPid ? onExitError(err) : reject(err)),
        onExit: (e) => onExit(e),
        waitExit: capture,
      },
    );
  });
}

/** Node's own spawn: the fallback without python3. */
function viaNode(req: SpawnRequest, capture: boolean): Promise<Spawned> {
  const out = capture ? 'pipe' : openSync(req.out ?? '/dev/null', 'a');
  const fds = (req.fds ?? []).map((f) => openSync(f, 'r'));
  const child = spawn(req.argv[0] as string, req.argv.slice(1), {
    detached: req.detached === true,
    stdio: ['ignore', out, out, ...fds, ...(req.pipe ? ['pipe' as const] : [])],
    env: req.env ?? process.env,
  });
  for (const fd of [...fds, ...(typeof out === 'number' ? [out] : [])]) closeSync(fd);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (output = (output + d).slice(-16000)));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (output = (output + d).slice(-16000)));
  const exited = new Promise<Exit>((res) =>
    child.on('close', (code, sig) => res({ code, signal: sig ? 9 : null, ...(capture ? { output } : {}) })),
  );
  if (!capture) child.unref();
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => {
      const pipe = req.pipe ? (child.stdio[3 + fds.length] as Readable) : null;
      resolve({ pid: child.pid as number, pipe, closePipe: () => pipe?.destroy(), exited });
    });
  });
}

/** Start a process; resolves once it runs (with its pid). */
export function startProcess(req: SpawnRequest): Promise<Spawned> {
  const h = getHelper();
  return h ? viaHelper(h, req, false) : viaNode(req, false);
}

/** Run a command to its end, like execFile: its output on success, an Error with it otherwise. */
export async function runCommand(argv: string[]): Promise<string> {
  const h = getHelper();
  const s = await (h ? viaHelper(h, { argv }, true) : viaNode({ argv }, true));
  const e = await s.exited;
  const output = (e.output ?? '').trim();
  if (e.code !== 0) {
    const why = e.code === null ? `signal ${e.signal}` : `exit ${e.code}`;
    // `code` and `signal` as execFile's errors have them (callers tell e2fsck's 1-3 from failures).
    throw Object.assign(
      new Error(`${argv.join(' ').slice(0, 200)} failed (${why}): ${output.slice(-1000)}`),
      {
        code: e.code,
        signal: e.signal,
      },
    );
  }
  return output;
}
