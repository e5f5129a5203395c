/**
 * The warm Python kernel: one runner process per sandbox (server/kernels/bridge.py, an IPython
 * InteractiveShell) spoken to in length-prefixed JSON frames on its fd 3 (kernel-frames.ts).
 * Cells run one at a time, in order; state persists between them. A timeout or kill sends SIGINT
 * (repeated until the runner acknowledges it with an `interrupted` frame): the cell ends with a
 * KeyboardInterrupt and the state survives. A cell that does not acknowledge within 2 s (it ignores
 * SIGINT), or that has not finished 10 s after acknowledging, gets the runner killed and a fresh
 * one started (state lost; the outcome is `aborted`).
 * Restart = kill + start. `input()` reaches the caller through `CellOptions.input`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { encodeFrame, FrameDecoder, type RunnerEvent } from './kernel-frames.ts';
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

export type KernelState = 'stopped' | 'starting' | 'ready' | 'failed';

/** Answers an `input()` of the cell; without it, input() fails with one line. */
export type InputHandler = (prompt: string, password: boolean) => Promise<string>;

interface CellOptions {
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  sink: OutputSink;
  signal?: AbortSignal;
  input?: InputHandler;
  /** The agent's own warm-up (warmup.ts): IPython neither counts nor stores the cell. */
  silent?: boolean;
}

interface Pending {
  id: string;
  sink: OutputSink;
  input?: InputHandler;
  error?: KernelError;
  /** Set when the agent killed the runner under this cell (it ignored SIGINT, or a restart). */
  aborted: boolean;
  /** Called on the runner's `interrupted` frame (SIGINT reached the cell). */
  onInterrupted?: () => void;
  done: (status: CellOutcome['status']) => void;
}

/** How long a cell may take to acknowledge SIGINT before the runner is replaced. */
const INTERRUPT_GRACE_MS = 2000;
/** SIGINT is sent again this often until acknowledged (one sent before the cell started is lost). */
const INTERRUPT_REPEAT_MS = 250;
/** After the acknowledgement: time for IPython to format the traceback and end the cell. */
const INTERRUPTED_FINISH_MS = 10_000;

export class PythonKernel {
  #child: ChildProcess | null = null;
  #proto: Socket | null = null;
  #ready: Promise<void> | null = null;
  #pending: Pending | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  /** Cells running or queued. */
  #cells = 0;
  #closed = false;
  state: KernelState = 'stopped';
  lastError = '';

  constructor(
    private readonly python: string,
    private readonly runnerPath: string,
    private readonly env: () => Record<string, string>,
    private readonly cwd: string,
    private readonly log: (msg: string) => void,
    private readonly outputCap: number,
  ) {}

  /** Start the runner if it is not running; resolves when it is ready for cells. */
  ensure(): Promise<void> {
    if (this.#ready && this.state !== 'failed' && this.state !== 'stopped') return this.#ready;
    this.state = 'starting';
    this.#ready = new Promise<void>((resolve, reject) => {
      const child = spawn(this.python, [this.runnerPath], {
        env: { ...this.env(), HOPDECK_OUTPUT_CAP: String(this.outputCap) },
        cwd: this.cwd,
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      });
      this.#child = child;
      const proto = child.stdio[3] as Socket;
      this.#proto = proto;
      proto.on('error', () => undefined);
      // Until the runner takes fd 1 and 2 over (and if it dies before), they carry its own errors.
      for (const s of [child.stdout, child.stderr]) {
        s?.setEncoding('utf8');
        s?.on('data', (d: string) => this.log(`kernel: ${d.trimEnd()}`));
      }
      // Frames are bounded by the runner's per-cell cap; a hostile cell can write to fd 3 too.
      const decoder = new FrameDecoder(
        8 * this.outputCap + (1 << 20),
        (ev) => {
          if (ev.type === 'ready' && child === this.#child) {
            this.state = 'ready';
            resolve();
          } else if (ev.type === 'log') this.log(`kernel: ${String(ev.text ?? '').trimEnd()}`);
          else this.#onEvent(ev);
        },
        (why) => {
          this.log(`kernel: protocol error (${why}); restarting the runner`);
          child.kill('SIGKILL');
        },
      );
      proto.on('data', (chunk: Buffer) => decoder.push(chunk));
      child.on('error', (err) => {
        this.lastError = err.message;
      });
      child.on('exit', (code, signal) => this.#onExit(child, code, signal, reject));
    });
    this.#ready.catch(() => undefined);
    return this.#ready;
  }

  #onExit(
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
    reject: (err: Error) => void,
  ): void {
    if (child !== this.#child) return;
    const wasReady = this.state === 'ready';
    this.#child = null;
    this.#proto = null;
    if (!wasReady) {
      this.lastError ||= `the Python runner exited (${signal ?? code}) before it was ready`;
      this.state = 'failed';
      reject(new Error(this.lastError));
    } else this.state = 'stopped';
    const p = this.#pending;
    this.#pending = null;
    if (p) {
      if (!p.aborted) {
        p.error ??= {
          ename: 'KernelDied',
          evalue: 'The Python kernel died; it was restarted and its state is lost',
          traceback: [],
        };
      }
      p.done(p.aborted ? 'aborted' : 'error');
    }
    // A runner that was serving cells comes back at once, so the next cell finds it warm.
    if (wasReady && !this.#closed) void this.ensure().catch(() => undefined);
  }

  #onEvent(ev: RunnerEvent): void {
    const p = this.#pending;
    if (!p || ev.id !== p.id) return;
    switch (ev.type) {
      case 'stream':
        p.sink.text(ev.name === 'stderr' ? 'stderr' : 'stdout', String(ev.text ?? ''));
        break;
      case 'display':
        for (const out of richFromBundle(asRecord(ev.data), asRecord(ev.metadata), ev.result === true))
          p.sink.rich(out);
        break;
      case 'dropped':
        p.sink.markTruncated?.();
        break;
      case 'error':
        p.error = {
          ename: String(ev.ename ?? ''),
          evalue: String(ev.evalue ?? ''),
          traceback: Array.isArray(ev.traceback) ? ev.traceback.map(String) : [],
        };
        break;
      case 'interrupted':
        p.onInterrupted?.();
        break;
      case 'input_request':
        void this.#answer(p, String(ev.prompt ?? ''), ev.password === true);
        break;
      case 'done':
        this.#pending = null;
        p.done(ev.status === 'ok' ? 'ok' : 'error');
        break;
    }
  }

  async #answer(p: Pending, prompt: string, password: boolean): Promise<void> {
    // The runner only asks when the cell was started with an input handler.
    const value = p.input ? await p.input(prompt, password).catch(() => '') : '';
    if (this.#pending === p) this.#send({ op: 'input_reply', id: p.id, value });
  }

  #send(msg: unknown): void {
    this.#proto?.write(encodeFrame(msg));
  }

  /** Run one cell (queued behind earlier ones). The timeout counts from the moment it starts. */
  run(id: string, code: string, opts: CellOptions): Promise<CellOutcome> {
    this.#cells += 1;
    // Nothing queued and the runner ready: the cell goes to the runner now, in this tick (a warm
    // `print(1)` is ~1 ms; the caller's next frames then overlap with the runner's work).
    const job = (
      this.#cells === 1 && this.state === 'ready'
        ? this.#runNow(id, code, opts)
        : this.#queue.then(() => this.#runNow(id, code, opts))
    ).finally(() => (this.#cells -= 1));
    this.#queue = job.catch(() => undefined);
    return job;
  }

  async #runNow(id: string, code: string, opts: CellOptions): Promise<CellOutcome> {
    if (opts.signal?.aborted) return { status: 'aborted', timedOut: false, killed: true };
    if (this.state !== 'ready') await this.ensure();
    const child = this.#child;
    let timedOut = false;
    let killed = false;
    let escalate: NodeJS.Timeout | undefined;
    let repeat: NodeJS.Timeout | undefined;
    const entry: Pending = { id, sink: opts.sink, input: opts.input, aborted: false, done: () => undefined };
    // A cell that ignores SIGINT (C code, signal handlers) gets the runner replaced.
    const replace = () => {
      if (this.#pending !== entry) return;
      entry.aborted = true;
      entry.error = {
        ename: 'KernelRestarted',
        evalue:
          'The cell did not stop on the interrupt (SIGINT), so the Python kernel was restarted and its state is lost',
        traceback: [],
      };
      child?.kill('SIGKILL');
    };
    const stop = () => {
      if (escalate || this.#pending !== entry) return;
      const poke = () => {
        if (this.#pending === entry) child?.kill('SIGINT');
      };
      poke();
      repeat = setInterval(poke, INTERRUPT_REPEAT_MS);
      escalate = setTimeout(replace, INTERRUPT_GRACE_MS);
      entry.onInterrupted = () => {
        entry.onInterrupted = undefined;
        clearInterval(repeat);
        clearTimeout(escalate);
        escalate = setTimeout(replace, INTERRUPTED_FINISH_MS);
      };
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
      const status = await new Promise<CellOutcome['status']>((resolve) => {
        entry.done = resolve;
        this.#pending = entry;
        this.#send({
          op: 'execute',
          id,
          code,
          env: opts.env,
          cwd: opts.cwd,
          allow_stdin: opts.input !== undefined,
          silent: opts.silent === true,
        });
      });
      return { status, error: entry.error, timedOut, killed };
    } finally {
      clearTimeout(timer);
      clearTimeout(escalate);
      clearInterval(repeat);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Clear all state: kill the runner (and whatever cell runs), then start a fresh one. */
  async restart(): Promise<void> {
    const child = this.#child;
    if (child && this.state === 'ready') {
      if (this.#pending) this.#pending.aborted = true;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    }
    if (this.state !== 'starting') this.state = 'stopped';
    await this.ensure();
  }

  close(): void {
    this.#closed = true;
    this.#proto?.end();
    const child = this.#child;
    setTimeout(() => child?.kill('SIGKILL'), 3000).unref();
  }
}

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
