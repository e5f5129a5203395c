/** /execute, /execute/background, /execute/processes, the three kill routes, /kernel/restart. */
import { z } from 'zod';
import { ExecuteRequest } from '../../../contract/schemas.ts';
import { AgentError, nowIso, parseWith, readJson, sendJson, type Ctx, type Router } from '../http.ts';
import {
  executeCollect,
  executeInto,
  newId,
  resolveLanguage,
  resolveWorkdir,
  RunEnv,
  runEnv,
  type ExecuteInput,
} from '../execute.ts';
import { CappedOutput, CollectingSink } from '../output.ts';
import { runProcess } from '../runner.ts';
import type { AgentState, BackgroundProcess } from '../state.ts';

const BackgroundRequest = ExecuteRequest.extend({ name: z.string().max(256).optional() });

export function toInput(
  state: AgentState,
  body: z.infer<typeof ExecuteRequest>,
  defaultTimeout: number,
): ExecuteInput {
  const language = resolveLanguage(body.language);
  // JavaScript and Bash code is passed to exec(2) as an argument, where a NUL byte cannot go.
  if (language !== 'python' && body.code.includes('\0'))
    throw new AgentError(400, 'INVALID_REQUEST', 'Invalid request: code must not contain NUL bytes');
  return {
    code: body.code,
    language,
    timeoutMs: (body.timeout ?? defaultTimeout) * 1000,
    cwd: resolveWorkdir(state, body.workdir ?? body.working_dir),
    env: body.env === undefined ? undefined : parseWith(RunEnv, body.env),
  };
}

export function processView(p: BackgroundProcess): Record<string, unknown> {
  return {
    process_id: p.process_id,
    execution_id: p.execution_id,
    name: p.name,
    status: p.status,
    language: p.language,
    command: p.command,
    pid: p.pid,
    start_time: p.start_time,
    started_at: p.start_time,
    end_time: p.end_time,
    completed_at: p.end_time,
    exit_code: p.exit_code,
    duration: p.duration,
    execution_time: p.duration,
    stdout: p.stdout,
    stderr: p.stderr,
    rich_outputs: p.rich_outputs,
    truncated: p.truncated,
  };
}

/** Register and start a background job; it runs until done, timed out or killed. */
export function startBackground(
  state: AgentState,
  kind: BackgroundProcess['kind'],
  name: string,
  language: string,
  command: string,
  run: (
    proc: BackgroundProcess,
    sink: CollectingSink,
  ) => Promise<{ exitCode: number; timedOut: boolean; killed: boolean; truncated: boolean; seconds: number }>,
): BackgroundProcess {
  const proc: BackgroundProcess = {
    process_id: newId('proc'),
    execution_id: newId('exec'),
    name,
    kind,
    language,
    command: command.slice(0, 1000),
    status: 'running',
    pid: null,
    start_time: nowIso(),
    end_time: null,
    exit_code: null,
    duration: null,
    stdout: '',
    stderr: '',
    rich_outputs: [],
    truncated: false,
    abort: new AbortController(),
  };
  state.processes.set(proc.process_id, proc);
  const sink = new CollectingSink();
  const flush = () => {
    proc.stdout = sink.stdout;
    proc.stderr = sink.stderr;
    proc.rich_outputs = sink.richOutputs;
  };
  const ticker = setInterval(flush, 200);
  run(proc, sink)
    .then((out) => {
      proc.exit_code = out.exitCode;
      proc.truncated = out.truncated;
      proc.duration = Math.round(out.seconds * 1000) / 1000;
      proc.status = out.killed
        ? 'killed'
        : out.timedOut
          ? 'timeout'
          : out.exitCode === 0
            ? 'completed'
            : 'failed';
    })
    .catch((err: unknown) => {
      proc.status = 'failed';
      sink.text('stderr', `${err instanceof Error ? err.message : String(err)}\n`);
    })
    .finally(() => {
      clearInterval(ticker);
      flush();
      proc.end_time = nowIso();
      state.pruneProcesses();
    });
  return proc;
}

function killProcess(state: AgentState, ctx: Ctx, id: string | undefined | null): void {
  if (!id) throw new AgentError(400, 'MISSING_PARAMETER', 'process_id is required');
  const proc = state.processes.get(id);
  if (!proc) throw new AgentError(404, 'PROCESS_NOT_FOUND', `Process not found: ${id}`);
  const wasRunning = proc.status === 'running';
  proc.abort.abort();
  sendJson(ctx, 200, {
    success: true,
    process_id: id,
    status: wasRunning ? 'killed' : proc.status,
    message: wasRunning ? 'Process killed' : `Process already ${proc.status}`,
    timestamp: nowIso(),
  });
}

export function executeRoutes(router: Router, state: AgentState): void {
  router.on('POST', '/execute', async (ctx) => {
    const body = await readJson(ctx, ExecuteRequest);
    sendJson(ctx, 200, await executeCollect(state, toInput(state, body, 120)));
  });
  // JS SDK `runIpython`: the same kernel.
  router.on('POST', '/execute/ipython', async (ctx) => {
    const body = await readJson(ctx, ExecuteRequest);
    sendJson(ctx, 200, await executeCollect(state, toInput(state, { ...body, language: 'python' }, 60)));
  });

  router.on('POST', '/execute/background', async (ctx) => {
    const body = await readJson(ctx, BackgroundRequest);
    const input = toInput(state, body, 300);
    // Background Python runs as its own interpreter so it never blocks the notebook kernel.
    const proc = startBackground(state, 'execute', body.name ?? '', input.language, body.code, (p, sink) => {
      const bgInput = { ...input, signal: p.abort.signal };
      if (input.language === 'python') return executeBackgroundPython(state, p, bgInput, sink);
      return executeInto(state, p.execution_id, bgInput, sink);
    });
    sendJson(ctx, 200, {
      process_id: proc.process_id,
      execution_id: proc.execution_id,
      status: 'running',
      start_time: proc.start_time,
      name: proc.name,
      message: 'Background execution started',
      timestamp: nowIso(),
    });
  });

  router.on('GET', '/execute/processes', (ctx) => {
    const list = [...state.processes.values()].map(processView);
    sendJson(ctx, 200, { processes: list, count: list.length, timestamp: nowIso() });
  });
  router.on('GET', '/execute/processes/:id', (ctx) => {
    const proc = state.processes.get(ctx.params.id ?? '');
    if (!proc) throw new AgentError(404, 'PROCESS_NOT_FOUND', `Process not found: ${ctx.params.id}`);
    sendJson(ctx, 200, processView(proc));
  });
  router.on('DELETE', '/execute/kill', (ctx) =>
    killProcess(state, ctx, ctx.url.searchParams.get('process_id')),
  );
  router.on('POST', '/execute/kill/:id', (ctx) => killProcess(state, ctx, ctx.params.id));
  router.on('POST', '/processes/:id/kill', (ctx) => killProcess(state, ctx, ctx.params.id));

  router.on('POST', '/kernel/restart', async (ctx) => {
    const started = performance.now();
    await state.kernel.restart();
    sendJson(ctx, 200, {
      success: true,
      message: 'Python kernel restarted; its state was cleared',
      restart_time: Math.round(performance.now() - started) / 1000,
      timestamp: nowIso(),
    });
  });
  router.on('GET', '/kernel', (ctx) => {
    sendJson(ctx, 200, {
      state: state.kernel.state,
      error: state.kernel.lastError || null,
      timestamp: nowIso(),
    });
  });
  router.on('GET', '/jupyter/sessions', (ctx) => {
    const k = state.kernel.state;
    const sessions =
      k === 'stopped'
        ? []
        : [
            {
              kernel_id: 'python3',
              execution_state: k === 'ready' ? (state.metrics.active > 0 ? 'busy' : 'idle') : k,
              connections: 1,
            },
          ];
    sendJson(ctx, 200, { sessions, timestamp: nowIso() });
  });
}

async function executeBackgroundPython(
  state: AgentState,
  proc: BackgroundProcess,
  input: ExecuteInput,
  sink: CollectingSink,
) {
  const capped = new CappedOutput(state.cfg.outputCapBytes, sink);
  const started = performance.now();
  const out = await runProcess({
    file: state.cfg.python,
    args: ['-c', input.code],
    cwd: input.cwd.real,
    env: { ...runEnv(state, input.env), MPLBACKEND: 'Agg' },
    timeoutMs: input.timeoutMs,
    sink: capped,
    signal: input.signal,
    onSpawn: (pid) => (proc.pid = pid),
  });
  return { ...out, truncated: capped.truncated, seconds: (performance.now() - started) / 1000 };
}
