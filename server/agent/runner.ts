/**
 * Runs one program as a child process (JavaScript, Bash, commands, background Python), feeding
 * its output to a sink with backpressure, enforcing the timeout and honouring an abort signal.
 * The child leads its own process group and carries a run tag in its environment; a timeout or a
 * kill ends the whole run (reaper.ts), including children that left the group. The timeout also
 * bounds what the run left behind: leftovers of a run whose first process already exited are
 * ended when its deadline passes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setPriority } from 'node:os';
import type { Readable } from 'node:stream';
import type { OutputSink, StreamName } from './output.ts';
import { membersOf, nowTicks, reapRun, RUN_TAG, startTicksOf, type RunMark } from './reaper.ts';

let reapOrphans = false;

/** Set once at start: whether ppid-1 orphans born during a run count as the run's (sandbox only). */
/**
 * Everything the agent starts runs at this nice value (inherited by its children, and an
 * unprivileged process cannot lower it again), so in the sandbox's CPU share the agent (nice 0)
 * outweighs even a fork bomb of 256 processes and can still answer and reap it.
 */
export const RUN_NICE = 19;

/** Lower a fresh child's priority (before it had time to fork, in practice). */
export function deprioritise(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, RUN_NICE);
  } catch {
    /* already gone */
  }
}

export function configureRunner(opts: { orphans: boolean }): void {
  reapOrphans = opts.orphans;
}

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
    const tag = `run_${randomBytes(8).toString('hex')}`;
    let child: ChildProcess;
    try {
      child = spawn(opts.file, opts.args, {
        cwd: opts.cwd,
        env: { ...opts.env, [RUN_TAG]: tag },
        detached: true,
        stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (err) {
      // e.g. ERR_INVALID_ARG_VALUE; the routes validate first, this is the last line.
      resolve({ exitCode: 127, timedOut: false, killed: false, spawnError: (err as Error).message });
      return;
    }
    deprioritise(child.pid);
    const deadlineAt = Date.now() + opts.timeoutMs;
    let mark: RunMark | null = null;
    let reaping: Promise<unknown> | null = null;
    const killTree = () => {
      if (child.pid === undefined) return;
      mark ??= { tag, rootPid: child.pid, startTicks: startTicksOf(child.pid), endTicks: null };
      reaping ??= reapRun(mark, reapOrphans).catch(() => 0);
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
      if (reaping) {
        // Answer only once everything the run started is gone.
        void reaping.then(() => resolve(outcome));
        return;
      }
      resolve(outcome);
      if (child.pid === undefined || outcome.spawnError) {
        opts.signal?.removeEventListener('abort', onAbort);
        return;
      }
      // The scan of /proc for leftovers is synchronous and may meet hundreds of processes (a run
      // that forked up to the pids limit): it runs after the answer is out, never before it.
      const ended = mark ?? markOf(child.pid, tag);
      setImmediate(() => void watchLeftovers(ended, deadlineAt, opts.signal, onAbort));
    };
    child.on('spawn', () => {
      if (child.pid !== undefined) {
        mark = markOf(child.pid, tag);
        opts.onSpawn?.(child.pid);
      }
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

function markOf(pid: number, tag: string): RunMark {
  return { tag, rootPid: pid, startTicks: startTicksOf(pid), endTicks: null };
}

/**
 * The first process exited on its own. If it left processes behind, they may live until the run's
 * deadline (or a kill of the run), then they are ended too.
 */
async function watchLeftovers(
  mark: RunMark,
  deadlineAt: number,
  signal: AbortSignal | undefined,
  onAbort: () => void,
): Promise<void> {
  signal?.removeEventListener('abort', onAbort);
  const ended: RunMark = { ...mark, endTicks: nowTicks() };
  let left: number[] = [];
  try {
    left = membersOf(ended, reapOrphans);
  } catch {
    /* /proc unreadable: nothing to do */
  }
  if (left.length === 0) return;
  if (signal?.aborted) {
    await reapRun(ended, reapOrphans).catch(() => 0);
    return;
  }
  const reap = () => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', reap);
    void reapRun(ended, reapOrphans).catch(() => 0);
  };
  const timer = setTimeout(reap, Math.max(0, deadlineAt - Date.now()));
  timer.unref();
  signal?.addEventListener('abort', reap, { once: true });
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
