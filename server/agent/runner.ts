/**
 * Runs one program as a child process (JavaScript, Bash, commands, background Python), feeding
 * its output to a sink with backpressure, enforcing the timeout and honouring an abort signal.
 * The child leads its own process group so a kill reaches everything it started.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { OutputSink, StreamName } from './output.ts';

export interface RunOptions {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  sink: OutputSink;
  signal?: AbortSignal;
  stdin?: string;
  onSpawn?: (pid: number) => void;
}

export interface RunOutcome {
  exitCode: number;
  timedOut: boolean;
  killed: boolean;
  /** Set when the program could not be started at all (missing binary, bad cwd). */
  spawnError?: string;
}

export function runProcess(opts: RunOptions): Promise<RunOutcome> {
  return new Promise((resolve) => {
    let timedOut = false;
    let killed = false;
    let settled = false;
    const child = spawn(opts.file, opts.args, {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const killTree = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killTree();
    }, opts.timeoutMs);
    const onAbort = () => {
      killed = true;
      killTree();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();

    const pump = (stream: Readable, name: StreamName) => {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        opts.sink.text(name, chunk);
        if (opts.sink.congested) {
          stream.pause();
          void opts.sink.drained().then(() => stream.resume());
        }
      });
    };
    if (child.stdout) pump(child.stdout, 'stdout');
    if (child.stderr) pump(child.stderr, 'stderr');
    if (child.stdin && opts.stdin !== undefined) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.stdin);
    }

    const finish = (outcome: RunOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    child.on('spawn', () => {
      if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    });
    child.on('error', (err) => finish({ exitCode: 127, timedOut, killed, spawnError: err.message }));
    // 'close' waits for the pipes, so every byte is in the sink before we report. A program that
    // left a background child holding the pipes open is reported shortly after its own exit.
    const report = (code: number | null, signal: NodeJS.Signals | null) => {
      const exitCode = code ?? (signal ? 128 + signalNumber(signal) : 1);
      finish({ exitCode: timedOut ? 124 : exitCode, timedOut, killed });
    };
    child.on('close', report);
    child.on('exit', (code, signal) => {
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        report(code, signal);
      }, 250).unref();
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  const table: Partial<Record<NodeJS.Signals, number>> = {
    SIGKILL: 9,
    SIGTERM: 15,
    SIGINT: 2,
    SIGSEGV: 11,
    SIGABRT: 6,
  };
  return table[signal] ?? 1;
}
