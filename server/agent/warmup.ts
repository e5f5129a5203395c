/**
 * The agent's warm-up: before its socket appears, a spare's agent runs its own execute path once
 * (HTTP parse, the route's validation, the kernel frames, output collection, the JSON answer, and
 * the `/execute/stream` WebSocket path), so the first cell of a claimed sandbox costs what a later
 * one does (V8 compiles functions lazily and learns their inline caches on first use: ~10-15 ms of
 * CPU on a sandbox's first `print(1)` before this; decision 0004, "Warm-up").
 *
 * It leaves no trace a user can see: the cell, `print(1)`, runs with IPython's `silent` (it is
 * neither counted nor stored: `execution_count`, `In`, `Out` and the history are untouched), the requests
 * go to a private socket beside the real one (never through the gateway, so no run history), and
 * the agent's counters are put back afterwards (`/metrics` starts at 0 executions).
 */
import { request, type Server } from 'node:http';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { WebSocket } from 'ws';
import type { AgentState } from './state.ts';

/** A warm-up that has not finished by then is abandoned: the socket must not wait on it. */
const WARM_UP_BOUND_MS = 2000;
/** The cell: run silently (see CellOptions.silent), so IPython neither counts nor stores it. */
const CELL = 'print(1)';

function post(socketPath: string, path: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method: 'POST',
        path,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-request-id': 'req_agent_warm_up',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function stream(socketPath: string, clients: Set<WebSocket>): Promise<void> {
  return new Promise((resolve, reject) => {
    // The gateway's own options toward an agent (ws-proxy.ts): no deflate.
    const ws = new WebSocket(`ws+unix://${socketPath}:/execute/stream`, { perMessageDeflate: false });
    clients.add(ws);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'execute', code: CELL, language: 'python' })));
    ws.on('message', (raw) => {
      const type = (JSON.parse(String(raw)) as { type?: string }).type;
      if (type === 'complete') ws.close();
      else if (type === 'error') reject(new Error('stream error frame'));
    });
    ws.on('close', () => resolve());
    ws.on('error', reject);
  });
}

/**
 * Serve `server` on a private socket next to `socketPath`, run the warm-up requests through it,
 * then close it again (the caller listens on the real socket next). Never throws: a failed
 * warm-up is one line in agent.log and a first cell that costs what it did before.
 */
export async function warmUp(
  server: Server,
  socketPath: string,
  state: AgentState,
  log: (msg: string) => void,
): Promise<void> {
  if (state.kernel.state !== 'ready') return;
  const m = state.metrics;
  const before = {
    requests: m.requests,
    errors: m.errors,
    executions: m.executions,
    durations: m.durations.length,
  };
  const path = `${socketPath}.warm`;
  const started = performance.now();
  let bound: NodeJS.Timeout | undefined;
  state.warmingUp = true;
  const clients = new Set<WebSocket>();
  try {
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const body = JSON.stringify({ code: CELL, language: 'python' });
    await Promise.race([
      (async () => {
        await post(path, '/execute', body);
        await stream(path, clients);
      })(),
      new Promise((_, reject) => {
        bound = setTimeout(() => reject(new Error('timed out')), WARM_UP_BOUND_MS);
      }),
    ]);
    log(`agent warm-up done in ${(performance.now() - started).toFixed(1)} ms`);
  } catch (err) {
    log(`agent warm-up skipped: ${(err as Error)?.message ?? String(err)}`);
  } finally {
    clearTimeout(bound);
    state.warmingUp = false;
    for (const ws of clients) ws.terminate();
    if (server.listening) {
      // Every connection is closed here, so `close` comes at once; the bound is only a safety net
      // (the real socket must never wait on the warm-up).
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        server.close(() => {
          clearTimeout(t);
          resolve();
        });
        server.closeAllConnections();
      });
    }
    rmSync(path, { force: true });
    m.requests = before.requests;
    m.errors = before.errors;
    m.executions = before.executions;
    m.durations.length = before.durations;
  }
}
