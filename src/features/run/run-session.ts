/**
 * One sandbox's run connection: a plain class (no React) that opens the agent's `/execute/stream`
 * WebSocket, validates every frame, applies the UI caps and publishes immutable snapshots at most
 * once per animation frame, so an output flood cannot freeze the page. Components read it through
 * useSyncExternalStore.
 */
import type { AgentTarget } from '@/api/agent';
import { z } from 'zod';
import { LANGUAGE_ALIASES, StreamFrame, type Execution, type Language } from '@contract/schemas';
import {
  MAX_FRAME_CHARS,
  admitRich,
  admitText,
  appendOps,
  emptyBudget,
  type Budget,
  type OutputItem,
  type PendingOp,
} from './output-model';
import { SpareSocket, openStreamSocket } from './stream-socket';

export type RunStatus = 'idle' | 'connecting' | 'running' | 'done' | 'failed' | 'stopped';

export interface RunState {
  runId: number;
  status: RunStatus;
  code: string;
  language: Language;
  items: readonly OutputItem[];
  /** The UI cap was hit (or the agent said it dropped output). */
  truncated: boolean;
  exitCode: number | null;
  executionTime: number | null;
  executionId: string | null;
  /** Why the run could not complete (connection problems), not the program's own errors. */
  failure: string | null;
  /** Milliseconds from run() to the first stdout frame. */
  firstStdoutMs: number | null;
  /** Set when the pane shows a past run from the history instead of a live one. */
  past: { id: string; createdAt: string; status: Execution['status'] } | null;
  /** The program waits in input(): the pane shows this prompt and a field for the answer. */
  input: { prompt: string; password: boolean } | null;
}

/** The agent's `input_request` frame (Python's input() and getpass(), over /execute/stream). */
const InputRequest = z.object({
  type: z.literal('input_request'),
  prompt: z.string().max(4096).catch(''),
  password: z.boolean().optional(),
});

export const RUN_TIMEOUT_SECONDS = 600;
const KILL_GRACE_MS = 2_000;
export const FIRST_STDOUT_MEASURE = 'hopdeck-first-stdout';
/** From run() to an open socket (token + WebSocket handshake through the gateway). */
export const CONNECT_MEASURE = 'hopdeck-run-connect';

const initialState: RunState = {
  runId: 0,
  status: 'idle',
  code: '',
  language: 'python',
  items: [],
  truncated: false,
  exitCode: null,
  executionTime: null,
  executionId: null,
  failure: null,
  firstStdoutMs: null,
  past: null,
  input: null,
};

/**
 * What the pane says once a run is interrupted: one calm line, not the kill's traceback and exit 137.
 * (Whether a Python session keeps its variables depends on the engine's kernel, so it is not claimed.)
 */
export function interruptedNotice(): string {
  return 'Interrupted.';
}

/** A past run as the pane shows it: its stored output, in the order the pane would have shown it. */
export function pastRunState(e: Execution, runId: number): RunState {
  const language = LANGUAGE_ALIASES[e.language] ?? 'python';
  const ops: PendingOp[] = [];
  if (e.stdout) ops.push({ kind: 'stdout', text: e.stdout });
  for (const output of e.rich_outputs) ops.push({ kind: 'rich', output });
  if (e.status === 'killed') ops.push({ kind: 'notice', text: interruptedNotice() });
  else if (e.stderr) ops.push({ kind: 'stderr', text: e.stderr });
  let id = 0;
  const items = appendOps([], ops, () => ++id);
  return {
    ...initialState,
    runId,
    status: e.status === 'killed' ? 'stopped' : 'done',
    code: e.code,
    language,
    items,
    truncated: e.truncated,
    exitCode: e.exit_code,
    executionTime: e.execution_time,
    executionId: e.id,
    past: { id: e.id, createdAt: e.created_at, status: e.status },
  };
}

export interface RunRequest {
  target: AgentTarget;
  code: string;
  language: Language;
  timeout?: number;
}

type Schedule = (cb: () => void) => void;

const defaultSchedule: Schedule = (cb) => {
  // rAF does not fire in hidden tabs; a timer keeps the batch moving there.
  if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') {
    requestAnimationFrame(cb);
  } else setTimeout(cb, 100);
};

export class RunSession {
  #state: RunState = initialState;
  readonly #listeners = new Set<() => void>();
  readonly #finished = new Set<(s: RunState) => void>();
  readonly #schedule: Schedule;
  readonly #WebSocketImpl: typeof WebSocket;
  #ws: WebSocket | null = null;
  #pending: PendingOp[] = [];
  #budget: Budget = emptyBudget();
  #flushQueued = false;
  #stopping = false;
  #killTimer: ReturnType<typeof setTimeout> | null = null;
  #itemId = 0;
  #startedAt = 0;
  readonly #spare: SpareSocket;
  #lastTarget: AgentTarget | null = null;
  #interrupted = false;

  constructor(opts: { schedule?: Schedule; WebSocketImpl?: typeof WebSocket } = {}) {
    this.#schedule = opts.schedule ?? defaultSchedule;
    this.#WebSocketImpl = opts.WebSocketImpl ?? WebSocket;
    this.#spare = new SpareSocket(this.#WebSocketImpl);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): RunState => this.#state;

  /** Called once per run when it ends (done, failed or stopped). */
  onFinished(listener: (s: RunState) => void): () => void {
    this.#finished.add(listener);
    return () => this.#finished.delete(listener);
  }

  get busy(): boolean {
    return this.#state.status === 'connecting' || this.#state.status === 'running';
  }

  async run(req: RunRequest): Promise<void> {
    if (this.busy) return;
    this.#startedAt = performance.now();
    this.#budget = emptyBudget();
    this.#pending = [];
    this.#stopping = false;
    this.#interrupted = false;
    const runId = this.#state.runId + 1;
    // Published on the next frame, not now: a synchronous re-render here would delay the connection.
    this.#state = { ...initialState, runId, status: 'connecting', code: req.code, language: req.language };
    this.#queueFlush();
    let ws: WebSocket;
    try {
      ws = await this.#open(req.target, runId);
    } catch (e) {
      if (runId === this.#state.runId) this.#finish('failed', e instanceof Error ? e.message : String(e));
      return;
    }
    if (runId !== this.#state.runId || this.#stopping) {
      ws.close();
      if (this.#stopping) this.#finish('stopped');
      return;
    }
    performance.measure?.(CONNECT_MEASURE, { start: this.#startedAt, end: performance.now() });
    this.#ws = ws;
    ws.onmessage = (ev) => this.#onMessage(ev.data);
    ws.onclose = () => this.#onClose(runId);
    ws.send(
      JSON.stringify({
        type: 'execute',
        code: req.code,
        language: req.language,
        timeout: req.timeout ?? RUN_TIMEOUT_SECONDS,
      }),
    );
    this.#state = { ...this.#state, status: 'running' };
    this.#queueFlush();
  }

  /** Opens the next run's socket ahead of time (the person is typing, or just ran something). */
  preconnect(target: AgentTarget): void {
    if (!this.busy) this.#spare.preconnect(target);
  }

  /** Kills the run: asks the agent first, then closes the socket if it does not finish in time. */
  stop(): void {
    if (!this.busy) return;
    this.#stopping = true;
    const ws = this.#ws;
    if (!ws) return; // still connecting: run() sees #stopping once the socket opens
    try {
      ws.send(JSON.stringify({ type: 'kill' }));
    } catch {
      // socket already closing
    }
    this.#killTimer = setTimeout(() => ws.close(), KILL_GRACE_MS);
  }

  /** Answers the program's input() prompt; the prompt and answer stay in the output (masked). */
  answer = (value: string): void => {
    const request = this.#state.input;
    if (!request || !this.#ws) return;
    this.#ws.send(JSON.stringify({ type: 'input', value }));
    const text = admitText(this.#budget, `${request.prompt}${request.password ? '••••' : value}\n`);
    if (text) this.#pending.push({ kind: 'stdout', text });
    this.#state = { ...this.#state, input: null };
    this.#queueFlush();
  };

  /** Shows a past run's stored output (from the history) in place of the last one. */
  showPast(e: Execution): void {
    if (this.busy) return;
    this.#set(pastRunState(e, this.#state.runId + 1));
  }

  /** Empties the output panel. */
  clear = (): void => {
    if (this.busy) return;
    this.#set({ ...initialState, runId: this.#state.runId + 1, language: this.#state.language });
  };

  dispose(): void {
    this.#spare.drop();
    this.#ws?.close();
    this.#ws = null;
    this.#listeners.clear();
    this.#finished.clear();
  }

  async #open(target: AgentTarget, runId: number): Promise<WebSocket> {
    this.#lastTarget = target;
    const spare = await this.#spare.take(target);
    if (spare) return spare;
    return openStreamSocket(this.#WebSocketImpl, target, () => runId === this.#state.runId);
  }

  #onMessage(data: unknown): void {
    if (typeof data !== 'string' || data.length === 0 || data.length > MAX_FRAME_CHARS) return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return; // keep-alives and garbage are skipped, like the SDKs do
    }
    const input = InputRequest.safeParse(json);
    if (input.success) {
      this.#flush(); // what was printed before the prompt comes first
      this.#set({
        ...this.#state,
        input: { prompt: input.data.prompt, password: input.data.password === true },
      });
      return;
    }
    const parsed = StreamFrame.safeParse(json);
    if (!parsed.success) return;
    const f = parsed.data;
    switch (f.type) {
      case 'start':
        this.#state = { ...this.#state, executionId: f.execution_id };
        break;
      case 'stdout':
      case 'stderr': {
        // Once interrupted, the kernel's KeyboardInterrupt traceback is noise: one calm line says it.
        if (this.#stopping && f.type === 'stderr') {
          this.#noteInterrupted();
          break;
        }
        if (f.type === 'stdout' && this.#state.firstStdoutMs === null) {
          const ms = performance.now() - this.#startedAt;
          this.#state = { ...this.#state, firstStdoutMs: ms };
          performance.measure?.(FIRST_STDOUT_MEASURE, { start: this.#startedAt, duration: ms });
        }
        const text = admitText(this.#budget, f.data);
        if (text) this.#pending.push({ kind: f.type, text });
        break;
      }
      case 'rich_output': {
        if (!admitRich(this.#budget)) break;
        const { mime_type, format, data: payload, metadata } = f;
        this.#pending.push({ kind: 'rich', output: { type: mime_type, format, data: payload, metadata } });
        break;
      }
      case 'result':
        if (this.#stopping) {
          this.#noteInterrupted();
          break; // "exit 137" is how a kill looks from inside; the pane says "Interrupted"
        }
        this.#state = {
          ...this.#state,
          exitCode: f.exit_code,
          executionTime: f.execution_time,
          truncated: this.#state.truncated || f.truncated === true,
        };
        break;
      case 'error':
        if (this.#stopping) this.#noteInterrupted();
        else this.#pending.push({ kind: 'error', code: f.code, message: f.error });
        break;
      case 'complete':
        this.#finish(this.#stopping ? 'stopped' : 'done');
        return;
    }
    this.#queueFlush();
  }

  #noteInterrupted(): void {
    if (this.#interrupted) return;
    this.#interrupted = true;
    this.#pending.push({ kind: 'notice', text: interruptedNotice() });
  }

  #onClose(runId: number): void {
    if (runId !== this.#state.runId || !this.busy) return;
    if (this.#stopping) this.#finish('stopped');
    else this.#finish('failed', 'The connection to the sandbox closed before the run finished.');
  }

  #finish(status: 'done' | 'failed' | 'stopped', failure: string | null = null): void {
    if (this.#killTimer) clearTimeout(this.#killTimer);
    this.#killTimer = null;
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      ws.onmessage = ws.onclose = null;
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close();
    }
    if (status === 'stopped') this.#noteInterrupted();
    this.#flush();
    this.#set({ ...this.#state, status, failure, input: null });
    const final = this.#state;
    this.#finished.forEach((l) => l(final));
    // A re-run is likely: have its socket ready.
    if (status === 'done' && this.#lastTarget) this.preconnect(this.#lastTarget);
  }

  #queueFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    this.#schedule(() => {
      this.#flushQueued = false;
      this.#flush();
    });
  }

  #flush(): void {
    const truncated = this.#state.truncated || this.#budget.truncated;
    if (this.#pending.length === 0 && truncated === this.#state.truncated) {
      this.#emit();
      return;
    }
    const items = appendOps(this.#state.items, this.#pending, () => ++this.#itemId);
    this.#pending = [];
    this.#set({ ...this.#state, items, truncated });
  }

  #set(next: RunState): void {
    this.#state = next;
    this.#emit();
  }

  #emit(): void {
    this.#listeners.forEach((l) => l());
  }
}
