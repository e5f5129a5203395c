/**
 * Run history: the gateway watches `/execute` and `/execute/stream` traffic and hands each run to a
 * HistorySink (the control plane backs it with its `executions` table). Everything recorded comes
 * from inside the sandbox, so it is validated and capped here; a failing sink never affects traffic.
 */
import { randomBytes } from 'node:crypto';
import { Execution, LANGUAGE_ALIASES, RichOutput } from '../../contract/schemas.ts';
import type { Execution as ExecutionT, RichOutput as RichOutputT } from '../../contract/schemas.ts';
import { rfc3339 } from '../../contract/wire.ts';
import type { GatewayLogger } from './types.ts';

/**
 * Where executions go. `start` is called once with status `running`; `finish` once with the same id
 * and the final state. Both may be sync (SQLite) or async; errors are logged and swallowed.
 */
export interface HistorySink {
  start(exec: ExecutionT): void | Promise<void>;
  finish(exec: ExecutionT): void | Promise<void>;
  /**
   * A run seen only once it ended (a synchronous `POST /execute`): one write of the final record.
   * Optional; without it the run is recorded as `start` then `finish`.
   */
  record?(exec: ExecutionT): void | Promise<void>;
}

export const HISTORY_LIMITS = {
  /** Per stream (stdout, stderr) and for the code, in UTF-16 code units. */
  text: 256 * 1024,
  /** Total serialized size of the rich outputs kept for one run. */
  richBytes: 2 * 1024 * 1024,
  richCount: 50,
} as const;

const EXEC_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
export type FinalStatus = Exclude<ExecutionT['status'], 'running'>;

export function newExecutionId(): string {
  return `exec_${randomBytes(10).toString('hex')}`;
}

export function normalizeLanguage(raw: unknown): string {
  if (raw === undefined || raw === null || raw === '') return 'python';
  if (typeof raw !== 'string') return 'unknown';
  return LANGUAGE_ALIASES[raw.toLowerCase()] ?? raw.slice(0, 32);
}

/** Rich outputs from an agent payload: the `rich_outputs` array, else the legacy top-level keys. */
export function richOutputsOf(body: Record<string, unknown>): unknown[] {
  if (Array.isArray(body.rich_outputs)) return body.rich_outputs;
  const out: unknown[] = [];
  if (typeof body.png === 'string') out.push({ type: 'image/png', format: 'base64', data: body.png });
  if (typeof body.svg === 'string') out.push({ type: 'image/svg+xml', format: 'text', data: body.svg });
  if (typeof body.html === 'string') out.push({ type: 'text/html', format: 'html', data: body.html });
  if (typeof body.markdown === 'string')
    out.push({ type: 'text/markdown', format: 'text', data: body.markdown });
  if (body.json !== undefined) out.push({ type: 'application/json', format: 'json', data: body.json });
  return out;
}

/** One run being recorded. Feed it what the agent says; it calls the sink at most once per phase. */
export class ExecutionRecording {
  #id: string | null = null;
  #stdout = '';
  #stderr = '';
  #rich: RichOutputT[] = [];
  #richBytes = 0;
  #truncated = false;
  #exitCode: number | null = null;
  #executionTime: number | null = null;
  #status: FinalStatus | null = null;
  #finished = false;
  readonly #code: string;
  readonly #language: string;
  readonly #createdAt: string;

  constructor(
    readonly sandboxId: string,
    request: { code?: unknown; language?: unknown },
    private readonly sink: HistorySink,
    private readonly log?: GatewayLogger,
    /** When the run began (a synchronous /execute is recorded only once it ended). */
    createdAt: Date = new Date(),
  ) {
    this.#createdAt = rfc3339(createdAt);
    const code = typeof request.code === 'string' ? request.code : '';
    this.#code = this.#cap(code);
    this.#language = normalizeLanguage(request.language);
  }

  get started(): boolean {
    return this.#id !== null;
  }
  get finished(): boolean {
    return this.#finished;
  }

  /** Start the record, with the agent's execution id when it gave a sane one. */
  start(agentId?: unknown): void {
    if (this.#id !== null) return;
    this.#id = typeof agentId === 'string' && EXEC_ID_RE.test(agentId) ? agentId : newExecutionId();
    this.#call('start', this.#snapshot('running', null));
  }

  stdout(data: unknown): void {
    if (typeof data === 'string') this.#stdout = this.#append(this.#stdout, data);
  }
  stderr(data: unknown): void {
    if (typeof data === 'string') this.#stderr = this.#append(this.#stderr, data);
  }

  /** An agent error message: kept in stderr unless the agent already wrote it there. */
  errorText(message: string): void {
    if (!this.#stderr.includes(message)) this.#stderr = this.#append(this.#stderr, `${message}\n`);
  }

  rich(output: unknown): void {
    const parsed = RichOutput.safeParse(output);
    if (!parsed.success) return;
    const size = JSON.stringify(parsed.data).length;
    if (this.#rich.length >= HISTORY_LIMITS.richCount || this.#richBytes + size > HISTORY_LIMITS.richBytes) {
      this.#truncated = true;
      return;
    }
    this.#rich.push(parsed.data);
    this.#richBytes += size;
  }

  result(fields: { exit_code?: unknown; execution_time?: unknown; truncated?: unknown }): void {
    if (typeof fields.exit_code === 'number' && Number.isInteger(fields.exit_code))
      this.#exitCode = fields.exit_code;
    if (typeof fields.execution_time === 'number' && Number.isFinite(fields.execution_time)) {
      this.#executionTime = fields.execution_time;
    }
    if (fields.truncated === true) this.#truncated = true;
  }

  /** Remember an outcome before the end (e.g. an `error` frame says timeout). */
  outcome(status: FinalStatus): void {
    this.#status ??= status;
  }

  /** Finish once; `fallback` is used when nothing more precise was learned. */
  finish(fallback: FinalStatus): void {
    if (this.#finished) return;
    this.start();
    this.#finished = true;
    this.#call('finish', this.#snapshot(this.#finalStatus(fallback), rfc3339()));
  }

  /**
   * A run that already ended (synchronous /execute): start and finish in one sink call when the
   * sink can (`record`), else as `start` + `finish`.
   */
  finishAtOnce(agentId: unknown, fallback: FinalStatus): void {
    if (this.#id !== null || this.#finished || !this.sink.record) {
      this.start(agentId);
      this.finish(fallback);
      return;
    }
    this.#id = typeof agentId === 'string' && EXEC_ID_RE.test(agentId) ? agentId : newExecutionId();
    this.#finished = true;
    this.#call('record', this.#snapshot(this.#finalStatus(fallback), rfc3339()));
  }

  #finalStatus(fallback: FinalStatus): FinalStatus {
    return this.#status ?? (this.#exitCode !== null && this.#exitCode !== 0 ? 'failed' : fallback);
  }

  #cap(text: string): string {
    if (text.length <= HISTORY_LIMITS.text) return text;
    this.#truncated = true;
    return text.slice(0, HISTORY_LIMITS.text);
  }

  #append(current: string, more: string): string {
    if (current.length >= HISTORY_LIMITS.text) {
      if (more.length > 0) this.#truncated = true;
      return current;
    }
    return this.#cap(current + more);
  }

  #snapshot(status: ExecutionT['status'], completedAt: string | null): ExecutionT {
    return {
      id: this.#id ?? newExecutionId(),
      object: 'execution',
      sandbox_id: this.sandboxId,
      language: this.#language,
      code: this.#code,
      status,
      stdout: this.#stdout,
      stderr: this.#stderr,
      exit_code: this.#exitCode,
      execution_time: this.#executionTime,
      rich_outputs: [...this.#rich],
      truncated: this.#truncated,
      created_at: this.#createdAt,
      completed_at: completedAt,
    };
  }

  #call(phase: 'start' | 'finish' | 'record', exec: ExecutionT): void {
    const fail = (err: unknown) =>
      this.log?.warn({ err, execution_id: exec.id, phase }, 'run history sink failed');
    try {
      const checked = Execution.parse(exec);
      const r =
        phase === 'start'
          ? this.sink.start(checked)
          : phase === 'finish'
            ? this.sink.finish(checked)
            : this.sink.record?.(checked);
      if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch(fail);
    } catch (err) {
      fail(err);
    }
  }
}

/** Back a HistorySink with the store's executions repository (add, then update by id). */
export function historyFromRepository(repo: {
  add(e: ExecutionT): unknown;
  update(id: string, patch: Partial<ExecutionT>): unknown;
}): HistorySink {
  return {
    start: (e) => void repo.add(e),
    finish: (e) => void repo.update(e.id, e),
    record: (e) => void repo.add(e),
  };
}
