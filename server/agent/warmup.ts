/**
 * The agent's warm-up: before its socket appears, a spare's agent runs its own `POST /execute` path
 * once (HTTP parse, the route's validation, the kernel frames, output collection, the JSON answer),
 * so the first cell of a claimed sandbox costs about what a later one does. V8 compiles functions
 * lazily and learns their inline caches on first use: the first `print(1)` cost a sandbox ~10 ms
 * more CPU than the next ones before this (decision 0004, "Warm-up"). `/execute/stream` is not
 * warmed: its own part would add ~9 ms of CPU to every boot for the first streamed run only.
 *
 * It leaves no trace a user can see: the cell, `print(1)`, runs with IPython's `silent` (neither
 * counted nor stored: `execution_count`, `In`, `Out` and the history are untouched), the request
 * goes to a private socket beside the real one (never through the gateway, so no run history),
 * and the agent's counters are put back afterwards (`/metrics` starts at 0 executions).
 */
import type { Server } from 'node:http';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import type { AgentState } from './state.ts';

/** A warm-up that has not finished by then is abandoned: the socket must not wait on it. */
const WARM_UP_BOUND_MS = 2000;
/** The cell: run silently (see CellOptions.silent), so IPython neither counts nor stores it. */
const CELL = 'print(1)';

/**
 * One request on a connection of its own, written by hand: the agent's server side is what must
 * get warm, and Node's HTTP client would cost more than it warms (its http.Agent alone compiles
 * net.isIPv6's regular expression, ~20 ms of CPU).
 */
function post(socketPath: string, path: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let head = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      if (head.length < 12) head += chunk;
    });
    socket.on('end', () => {
      socket.destroy();
      if (head.startsWith('HTTP/1.1 200')) resolve();
      else reject(new Error(`answer ${JSON.stringify(head.slice(0, 12))}`));
    });
    socket.on('error', reject);
    socket.write(
      `POST ${path} HTTP/1.1\r\nhost: agent\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nx-request-id: req_agent_warm_up\r\n` +
        `connection: close\r\n\r\n${body}`,
    );
  });
}

/**
 * Serve `server` on a private socket next to `socketPath`, run the warm-up request through it,
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
  const cpu = process.cpuUsage();
  let bound: NodeJS.Timeout | undefined;
  state.warmingUp = true;
  try {
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        chmodSync(path, 0o600);
        resolve();
      });
    });
    const body = JSON.stringify({ code: CELL, language: 'python' });
    await Promise.race([
      post(path, '/execute', body),
      new Promise((_, reject) => {
        bound = setTimeout(() => reject(new Error('timed out')), WARM_UP_BOUND_MS);
      }),
    ]);
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    log(`agent warm-up done in ${(performance.now() - started).toFixed(1)} ms (${cpuMs.toFixed(1)} ms CPU)`);
  } catch (err) {
    log(`agent warm-up skipped: ${(err as Error)?.message ?? String(err)}`);
  } finally {
    clearTimeout(bound);
    state.warmingUp = false;
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
