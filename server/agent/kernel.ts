/**
 * The warm Python kernel: one bridge process (server/kernels/bridge.py, an ipykernel driven by
 * jupyter_client) per sandbox, spoken to in JSON lines. Cells run one at a time, in order; state
 * persists between them. A timeout or kill interrupts the cell; a cell that ignores the interrupt
 * makes the bridge restart the kernel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { OutputSink } from './output.ts';
import { richFromBundle } from './output.ts';

export interface KernelError {
  ename: string;
  evalue: string;
  traceback: string[];
}

export interface CellOutcome {
  status: 'ok' | 'error' | 'aborted';
  error?: KernelError;
  timedOut: boolean;
  killed: boolean;
}

interface BridgeEvent {
  type: string;
  id?: string;
  name?: string;
  text?: string;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  result?: boolean;
  status?: string;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  message?: string;
}

interface Pending {
  sink: OutputSink;
  error?: KernelError;
  done: (status: CellOutcome['status']) => void;
}

export type KernelState = 'stopped' | 'starting' | 'ready' | 'failed';

interface CellOptions {
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  sink: OutputSink;
  signal?: AbortSignal;
}

export class PythonKernel {
  #child: ChildProcess | null = null;
  #ready: Promise<void> | null = null;
  #pending = new Map<string, Pending>();
  #queue: Promise<unknown> = Promise.resolve();
  #restarted: (() => void) | null = null;
  state: KernelState = 'stopped';
  lastError = '';

  constructor(
    private readonly python: string,
    private readonly bridgePath: string,
    private readonly env: () => Record<string, string>,
    private readonly cwd: string,
    private readonly log: (msg: string) => void,
    private readonly outputCap: number,
  ) {}

  /** Start the bridge if it is not running; resolves when the kernel is ready. */
  ensure(): Promise<void> {
    if (this.#ready && this.state !== 'failed') return this.#ready;
    this.state = 'starting';
    this.#ready = new Promise<void>((resolve, reject) => {
      const child = spawn(this.python, [this.bridgePath], {
        env: { ...this.env(), HOPDECK_WORKDIR: this.cwd, HOPDECK_OUTPUT_CAP: String(this.outputCap) },
        cwd: this.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      this.#child = child;
      child.stdin?.on('error', () => undefined);
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (d: string) => this.log(`kernel: ${d.trimEnd()}`));
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        let ev: BridgeEvent;
        try {
          ev = JSON.parse(line) as BridgeEvent;
        } catch {
          return;
        }
        if (ev.type === 'ready') {
          this.state = 'ready';
          resolve();
        } else if (ev.type === 'fatal') {
          this.lastError = ev.message ?? 'kernel failed to start';
          this.state = 'failed';
          reject(new Error(this.lastError));
        } else if (ev.type === 'restarted') {
          this.#restarted?.();
          this.#restarted = null;
        } else this.#onEvent(ev);
      });
      child.on('exit', (code) => {
        this.#child = null;
        if (this.state !== 'ready') reject(new Error(this.lastError || `kernel bridge exited (${code})`));
        this.state = 'failed';
        for (const p of this.#pending.values()) {
          p.error ??= { ename: 'KernelDied', evalue: 'The Python kernel bridge exited', traceback: [] };
          p.done('error');
        }
        this.#pending.clear();
      });
    });
    this.#ready.catch(() => undefined);
    return this.#ready;
  }

  #onEvent(ev: BridgeEvent): void {
    const pending = ev.id ? this.#pending.get(ev.id) : undefined;
    if (!pending) return;
    if (ev.type === 'stream') pending.sink.text(ev.name === 'stderr' ? 'stderr' : 'stdout', ev.text ?? '');
    else if (ev.type === 'display') {
      for (const out of richFromBundle(ev.data ?? {}, ev.metadata ?? {}, ev.result === true))
        pending.sink.rich(out);
    } else if (ev.type === 'dropped') {
      pending.sink.markTruncated?.();
    } else if (ev.type === 'error') {
      pending.error = {
        ename: String(ev.ename ?? ''),
        evalue: String(ev.evalue ?? ''),
        traceback: (ev.traceback ?? []).map(String),
      };
    } else if (ev.type === 'done') {
      this.#pending.delete(ev.id!);
      pending.done(ev.status === 'ok' ? 'ok' : ev.status === 'aborted' ? 'aborted' : 'error');
    }
  }

  #send(msg: unknown): void {
    this.#child?.stdin?.write(`${JSON.stringify(msg)}\n`);
  }

  /** Run one cell (queued behind earlier ones). The timeout counts from the moment it starts. */
  run(id: string, code: string, opts: CellOptions): Promise<CellOutcome> {
    const job = this.#queue.then(() => this.#runNow(id, code, opts));
    this.#queue = job.catch(() => undefined);
    return job;
  }

  async #runNow(id: string, code: string, opts: CellOptions): Promise<CellOutcome> {
    if (opts.signal?.aborted) return { status: 'aborted', timedOut: false, killed: true };
    await this.ensure();
    let timedOut = false;
    let killed = false;
    let escalate: NodeJS.Timeout | undefined;
    const stop = () => {
      this.#send({ op: 'interrupt' });
      // A cell that ignores SIGINT (C code, signal handlers) gets the kernel restarted.
      escalate = setTimeout(() => this.#send({ op: 'kill' }), 2000);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, opts.timeoutMs);
    const onAbort = () => {
      killed = true;
      stop();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const entry: Pending = { sink: opts.sink, done: () => undefined };
      const status = await new Promise<CellOutcome['status']>((resolve) => {
        entry.done = resolve;
        this.#pending.set(id, entry);
        this.#send({ op: 'execute', id, code, env: opts.env, cwd: opts.cwd });
      });
      return { status, error: entry.error, timedOut, killed };
    } finally {
      clearTimeout(timer);
      clearTimeout(escalate);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Clear all state: interrupt whatever runs, then restart the kernel. */
  async restart(): Promise<void> {
    if (!this.#child || this.state !== 'ready') {
      this.#ready = null;
      await this.ensure();
      return;
    }
    this.#send({ op: 'interrupt' });
    await new Promise<void>((resolve) => {
      this.#restarted = resolve;
      this.#send({ op: 'restart' });
    });
  }

  close(): void {
    this.#child?.stdin?.end();
    const child = this.#child;
    setTimeout(() => child?.kill('SIGKILL'), 3000).unref();
  }
}
