/**
 * One execution, whatever the language: Python goes to the warm kernel, JavaScript and Bash run
 * as a fresh process each. Output goes through a capped sink; the outcome is an ExecuteResult.
 */
import { randomFillSync } from 'node:crypto';
import { statSync } from 'node:fs';
import { z } from 'zod';
import {
  LANGUAGE_ALIASES,
  type ExecuteResult,
  type Language,
  type RichOutput,
} from '../../contract/schemas.ts';
import { baseEnv, realPath } from './config.ts';
import { AgentError, nowIso } from './http.ts';
import { CappedOutput, CollectingSink, type OutputSink } from './output.ts';
import { runProcess } from './runner.ts';
import type { AgentState } from './state.ts';
import type { InputHandler, KernelError } from './kernel.ts';

/** Random bytes for ids, drawn 128 ids at a time (one getrandom per id showed on a warm run). */
const idPool = Buffer.alloc(8 * 128);
let idUsed = idPool.length;

export function newId(prefix: 'exec' | 'proc'): string {
  if (idUsed + 8 > idPool.length) {
    randomFillSync(idPool);
    idUsed = 0;
  }
  idUsed += 8;
  return `${prefix}_${idPool.toString('hex', idUsed - 8, idUsed)}`;
}

/** A string that reaches exec(2) or the environment: a NUL byte would be cut there, so it is refused. */
export const NoNul = (what: string, max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => !v.includes('\0'), `${what} must not contain NUL bytes`);
/** Per-run env vars: names as a shell would take them, values without NUL. */
export const RunEnv = z.record(
  z.string().regex(/^[^=\0]+$/, 'environment variable names must be non-empty, without = or NUL'),
  NoNul('environment variable values', 131_072),
);

export function resolveLanguage(name: string | undefined): Language {
  const lang = LANGUAGE_ALIASES[(name ?? 'python').toLowerCase()];
  if (!lang) {
    throw new AgentError(
      400,
      'INVALID_REQUEST',
      `Unsupported language '${name}'; use python, javascript or bash`,
    );
  }
  return lang;
}

/** Validate a working directory (absolute, no NUL) and return its real path. */
export function resolveWorkdir(state: AgentState, dir: string | undefined): { api: string; real: string } {
  const api = dir ?? state.cfg.workdir;
  checkApiPath(api);
  const real = realPath(state.cfg, api);
  let isDir: boolean;
  try {
    isDir = statSync(real).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir)
    throw new AgentError(400, 'DIRECTORY_NOT_FOUND', `Working directory not found: ${api}`, { path: api });
  return { api, real };
}

export function checkApiPath(path: string): void {
  if (path.includes('\0')) throw new AgentError(400, 'INVALID_PATH', 'Path contains a NUL byte');
  if (!path.startsWith('/'))
    throw new AgentError(400, 'INVALID_PATH', `Path must be absolute: ${path}`, { path });
}

/** The environment of a run: cleared base < sandbox global env (/env) < the request's env. */
export function runEnv(state: AgentState, extra: Record<string, string> | undefined): Record<string, string> {
  return { ...baseEnv(state.cfg), ...state.env, ...(extra ?? {}) };
}

export interface ExecuteInput {
  code: string;
  language: Language;
  timeoutMs: number;
  cwd: { api: string; real: string };
  env: Record<string, string> | undefined;
  signal?: AbortSignal;
  /** Answers Python's input() (only /execute/stream has someone to ask). */
  input?: InputHandler;
}

export interface ExecuteOutcome {
  exitCode: number;
  timedOut: boolean;
  killed: boolean;
  truncated: boolean;
  error?: KernelError;
  seconds: number;
}

/** Run code, sending its output to `sink` (after the cap). */
export async function executeInto(
  state: AgentState,
  id: string,
  input: ExecuteInput,
  sink: OutputSink,
): Promise<ExecuteOutcome> {
  const capped = new CappedOutput(state.cfg.outputCapBytes, sink);
  const started = performance.now();
  state.metrics.active += 1;
  state.metrics.executions += 1;
  try {
    if (input.language === 'python') {
      const out = await state.kernel.run(id, input.code, {
        env: { ...state.env, ...(input.env ?? {}) },
        cwd: input.cwd.real,
        timeoutMs: input.timeoutMs,
        sink: capped,
        signal: input.signal,
        input: input.input,
        silent: state.warmingUp,
      });
      let error = out.error;
      if (out.timedOut) {
        const lost =
          out.status === 'aborted'
            ? '; the cell ignored the interrupt, so the kernel was restarted and its state is lost'
            : out.error?.ename === 'KeyboardInterrupt'
              ? '; the cell was interrupted (KeyboardInterrupt) and the kernel state was kept'
              : '';
        error = {
          ename: 'TimeoutError',
          evalue: `Execution timed out after ${input.timeoutMs / 1000} s${lost}`,
          traceback: [],
        };
      }
      if (error) {
        // Jupyter reports exceptions apart from the streams; stderr carries the traceback too.
        const text =
          error.traceback.length > 0 ? error.traceback.join('\n') : `${error.ename}: ${error.evalue}`;
        capped.text('stderr', `${text}\n`);
      }
      const failed = out.status !== 'ok' || out.timedOut || out.killed;
      return {
        exitCode: out.timedOut ? 124 : out.killed ? 137 : failed ? 1 : 0,
        timedOut: out.timedOut,
        killed: out.killed,
        truncated: capped.truncated,
        error,
        seconds: (performance.now() - started) / 1000,
      };
    }
    const [file, args] =
      input.language === 'javascript'
        ? [process.execPath, ['-e', input.code]]
        : ['/bin/bash', ['-c', input.code]];
    const env = runEnv(state, input.env);
    if (input.language === 'javascript') env.NODE_OPTIONS = '';
    const out = await runProcess({
      file,
      args,
      cwd: input.cwd.real,
      env,
      timeoutMs: input.timeoutMs,
      sink: capped,
      signal: input.signal,
    });
    if (out.spawnError) capped.text('stderr', `${out.spawnError}\n`);
    if (out.timedOut) capped.text('stderr', `Execution timed out after ${input.timeoutMs / 1000} s\n`);
    return {
      exitCode: out.exitCode,
      timedOut: out.timedOut,
      killed: out.killed,
      truncated: capped.truncated,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    state.metrics.active -= 1;
    state.metrics.durations.push(performance.now() - started);
    if (state.metrics.durations.length > 500) state.metrics.durations.shift();
  }
}

/** POST /execute: run to completion and build the HopX ExecuteResult. */
export async function executeCollect(state: AgentState, input: ExecuteInput): Promise<ExecuteResult> {
  const id = newId('exec');
  const sink = new CollectingSink();
  const out = await executeInto(state, id, input, sink);
  if (out.error && input.language === 'python') state.metrics.errors += 1;
  const result: ExecuteResult = {
    success: out.exitCode === 0 && !out.error,
    stdout: sink.stdout,
    stderr: sink.stderr,
    exit_code: out.exitCode,
    execution_time: Math.round(out.seconds * 1e6) / 1e6,
    language: input.language,
    timestamp: nowIso(),
    execution_id: id,
    rich_outputs: sink.richOutputs,
  };
  if (out.error) result.error = out.error;
  if (out.truncated) result.truncated = true;
  if (out.timedOut) result.timed_out = true;
  Object.assign(result, topLevelKeys(sink.richOutputs));
  return result;
}

/** The SDKs read one value per MIME type from top-level keys; the first of each wins. */
export function topLevelKeys(outputs: RichOutput[]): Partial<ExecuteResult> {
  const keys: Partial<ExecuteResult> = {};
  for (const o of outputs) {
    if (o.type === 'image/png' && keys.png === undefined) keys.png = String(o.data);
    else if (o.type === 'text/html' && keys.html === undefined) keys.html = String(o.data);
    else if (o.type === 'image/svg+xml' && keys.svg === undefined) keys.svg = String(o.data);
    else if (o.type === 'text/markdown' && keys.markdown === undefined) keys.markdown = String(o.data);
    else if (o.type === 'application/json' && keys.json === undefined) keys.json = o.data;
    else if (o.type === 'text/plain' && keys.result === undefined) keys.result = String(o.data);
  }
  return keys;
}
