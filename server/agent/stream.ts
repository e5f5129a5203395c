/**
 * WebSocket /execute/stream: one `execute` frame in, then start / stdout / stderr / rich_output /
 * result / error / complete frames out. Text chunks are coalesced (16 ms or 64 KiB, never across a
 * change of stream, so order is kept); a slow client pauses the producer; `{"type":"kill"}` or a
 * closed socket stops the run.
 */
import type { WebSocket } from 'ws';
import { ExecuteRequest, type RichOutput, type StreamFrame } from '../../contract/schemas.ts';
import { AgentError, nowIso, parseWith } from './http.ts';
import { executeInto, newId, type ExecuteOutcome } from './execute.ts';
import { CommandRequest, prepareCommand } from './routes/commands.ts';
import type { OutputSink, StreamName } from './output.ts';
import { FINAL_GAP_MS, FramePacer, PACE_MS } from './pacer.ts';
import { toInput } from './routes/execute.ts';
import type { AgentState } from './state.ts';

const COALESCE_MS = 16;
const COALESCE_MAX = 64 * 1024;

class SocketSink implements OutputSink {
  #pending: { name: StreamName; data: string } | null = null;
  #timer: NodeJS.Timeout | null = null;
  #lastText = -Infinity;
  readonly pacer: FramePacer;

  constructor(ws: WebSocket) {
    this.pacer = new FramePacer(ws);
  }

  send(frame: StreamFrame): void {
    this.pacer.send(frame, frame.type === 'complete' ? FINAL_GAP_MS : PACE_MS);
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const p = this.#pending;
    this.#pending = null;
    if (p) {
      this.send({ type: p.name, data: p.data, timestamp: nowIso() });
      this.#lastText = performance.now();
    }
  }

  text(name: StreamName, data: string): void {
    if (this.#pending && this.#pending.name !== name) this.flush();
    if (this.#pending) this.#pending.data += data;
    else this.#pending = { name, data };
    if (this.#pending.data.length >= COALESCE_MAX) this.flush();
    // Leading edge: output after a quiet spell goes out at once (a warm print(1)'s first byte);
    // what follows within COALESCE_MS is batched.
    else if (!this.#timer && performance.now() - this.#lastText >= COALESCE_MS) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), COALESCE_MS);
  }

  rich(output: RichOutput): void {
    this.flush();
    const { type: mime, ...rest } = output;
    this.send({ ...rest, type: 'rich_output', mime_type: mime, timestamp: nowIso() });
  }

  get congested(): boolean {
    return this.pacer.congested;
  }

  /** Python's input(): an `input_request` frame out, the client's `{"type":"input","value"}` back. */
  #answer: ((value: string) => void) | null = null;

  requestInput(prompt: string, password: boolean): Promise<string> {
    this.flush();
    this.pacer.send({ type: 'input_request', prompt, password, timestamp: nowIso() });
    return new Promise((resolve) => (this.#answer = resolve));
  }

  answer(value: unknown): void {
    const answer = this.#answer;
    this.#answer = null;
    answer?.(typeof value === 'string' ? value : '');
  }

  drained(): Promise<void> {
    return this.pacer.drained();
  }
}

/** `/execute/stream` runs code; `/commands/stream` (digest §5.12 Rec) runs a command, same frames. */
export function handleExecuteStream(
  ws: WebSocket,
  state: AgentState,
  kind: 'code' | 'command' = 'code',
): void {
  const sink = new SocketSink(ws);
  const abort = new AbortController();
  let started = false;
  state.metrics.streams += 1;
  const idle = setTimeout(() => ws.close(1008, 'no execute frame'), 30_000);
  ws.on('close', () => {
    clearTimeout(idle);
    state.metrics.streams -= 1;
    abort.abort();
  });
  ws.on('message', (raw) => {
    let msg: unknown;
    try {
      msg = JSON.parse(String(raw));
    } catch {
      if (!started) fail(sink, ws, 'INVALID_JSON', 'Frame is not valid JSON');
      return;
    }
    const type = (msg as { type?: unknown } | null)?.type;
    if (started) {
      if (type === 'kill') abort.abort();
      else if (type === 'input') sink.answer((msg as { value?: unknown }).value);
      return;
    }
    if (type !== 'execute') {
      fail(sink, ws, 'INVALID_REQUEST', 'The first frame must be {"type":"execute",...}');
      return;
    }
    started = true;
    clearTimeout(idle);
    void run(state, ws, sink, msg, abort.signal, kind);
  });
}

function fail(sink: SocketSink, ws: WebSocket, code: string, message: string): void {
  sink.send({ type: 'error', error: message, code, timestamp: nowIso() });
  sink.send({ type: 'complete', success: false });
  void closeAfter(sink, ws);
}

/** Close once every frame is out, leaving the client a moment to close first (the SDKs do). */
async function closeAfter(sink: SocketSink, ws: WebSocket): Promise<void> {
  await sink.pacer.flushed();
  setTimeout(() => ws.close(1000), 100).unref();
}

interface Job {
  timeoutMs: number;
  go: (id: string) => Promise<ExecuteOutcome>;
}

function prepare(
  state: AgentState,
  msg: unknown,
  signal: AbortSignal,
  sink: SocketSink,
  kind: 'code' | 'command',
): Job {
  if (kind === 'code') {
    const input = {
      ...toInput(state, parseWith(ExecuteRequest, msg), 120),
      signal,
      input: (prompt: string, password: boolean) => sink.requestInput(prompt, password),
    };
    return { timeoutMs: input.timeoutMs, go: (id) => executeInto(state, id, input, sink) };
  }
  const command = prepareCommand(state, parseWith(CommandRequest, msg), 30);
  return { timeoutMs: command.timeoutMs, go: () => command.go(sink, { signal }) };
}

async function run(
  state: AgentState,
  ws: WebSocket,
  sink: SocketSink,
  msg: unknown,
  signal: AbortSignal,
  kind: 'code' | 'command',
): Promise<void> {
  let job: Job;
  try {
    job = prepare(state, msg, signal, sink, kind);
  } catch (err) {
    const e = err instanceof AgentError ? err : new AgentError(400, 'INVALID_REQUEST', String(err));
    fail(sink, ws, e.code, e.message);
    return;
  }
  const id = newId('exec');
  // The run starts first (a warm cell reaches the runner in this tick) and `start` goes out while
  // it runs; no output can reach the sink before this function yields.
  const running = job.go(id);
  sink.send({ type: 'start', execution_id: id, timestamp: nowIso() });
  try {
    const out = await running;
    sink.flush();
    if (out.timedOut) {
      sink.send({
        type: 'error',
        error: `Execution timed out after ${job.timeoutMs / 1000} s`,
        code: 'EXECUTION_TIMEOUT',
        timestamp: nowIso(),
      });
    } else if (out.killed) {
      sink.send({ type: 'error', error: 'Execution killed', code: 'EXECUTION_FAILED', timestamp: nowIso() });
    }
    sink.send({
      type: 'result',
      exit_code: out.exitCode,
      execution_time: Math.round(out.seconds * 1e6) / 1e6,
      ...(out.truncated ? { truncated: true } : {}),
      timestamp: nowIso(),
    });
    sink.send({ type: 'complete', success: out.exitCode === 0 && !out.error });
  } catch (err) {
    sink.flush();
    fail(sink, ws, 'EXECUTION_FAILED', err instanceof Error ? err.message : String(err));
    return;
  }
  await closeAfter(sink, ws);
}
