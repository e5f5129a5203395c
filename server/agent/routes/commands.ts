/** /commands/run and /commands/background: `command` + `args` is exec'd; `command` alone goes through sh -c. */
import { z } from 'zod';
import { nowIso, readJson, sendJson, type Router } from '../http.ts';
import { resolveWorkdir, runEnv } from '../execute.ts';
import { CappedOutput, CollectingSink } from '../output.ts';
import { runProcess } from '../runner.ts';
import type { AgentState } from '../state.ts';
import { startBackground } from './execute.ts';

export const CommandRequest = z.object({
  command: z.string().min(1).max(1_000_000),
  args: z.array(z.string().max(1_000_000)).max(10_000).optional(),
  timeout: z.number().positive().max(3600).optional(),
  workdir: z.string().max(4096).optional(),
  working_dir: z.string().max(4096).optional(),
  env: z.record(z.string(), z.string()).optional(),
  name: z.string().max(256).optional(),
});
type CommandRequest = z.infer<typeof CommandRequest>;

export function commandArgv(body: CommandRequest): [string, string[]] {
  return body.args ? [body.command, body.args] : ['/bin/sh', ['-c', body.command]];
}

function display(body: CommandRequest): string {
  return body.args ? [body.command, ...body.args].join(' ') : body.command;
}

export function commandRoutes(router: Router, state: AgentState): void {
  router.on('POST', '/commands/run', async (ctx) => {
    const body = await readJson(ctx, CommandRequest);
    const cwd = resolveWorkdir(state, body.workdir ?? body.working_dir);
    const sink = new CollectingSink();
    const capped = new CappedOutput(state.cfg.outputCapBytes, sink);
    const [file, args] = commandArgv(body);
    const started = performance.now();
    let pid: number | null = null;
    const out = await runProcess({
      file,
      args,
      cwd: cwd.real,
      env: runEnv(state, body.env),
      timeoutMs: (body.timeout ?? 30) * 1000,
      sink: capped,
      onSpawn: (p) => (pid = p),
    });
    if (out.spawnError) capped.text('stderr', `${out.spawnError}\n`);
    if (out.timedOut) capped.text('stderr', `Command timed out after ${body.timeout ?? 30} s\n`);
    sendJson(ctx, 200, {
      success: out.exitCode === 0,
      stdout: sink.stdout,
      stderr: sink.stderr,
      exit_code: out.exitCode,
      execution_time: Math.round(performance.now() - started) / 1000,
      command: display(body),
      pid,
      truncated: capped.truncated || undefined,
      timestamp: nowIso(),
    });
  });

  router.on('POST', '/commands/background', async (ctx) => {
    const body = await readJson(ctx, CommandRequest);
    const cwd = resolveWorkdir(state, body.workdir ?? body.working_dir);
    const [file, args] = commandArgv(body);
    const proc = startBackground(
      state,
      'command',
      body.name ?? '',
      'bash',
      display(body),
      async (p, sink) => {
        const capped = new CappedOutput(state.cfg.outputCapBytes, sink);
        const started = performance.now();
        const out = await runProcess({
          file,
          args,
          cwd: cwd.real,
          env: runEnv(state, body.env),
          timeoutMs: (body.timeout ?? 120) * 1000,
          sink: capped,
          signal: p.abort.signal,
          onSpawn: (pid) => (p.pid = pid),
        });
        if (out.spawnError) capped.text('stderr', `${out.spawnError}\n`);
        return { ...out, truncated: capped.truncated, seconds: (performance.now() - started) / 1000 };
      },
    );
    sendJson(ctx, 200, {
      process_id: proc.process_id,
      execution_id: proc.execution_id,
      status: 'running',
      command: proc.command,
      start_time: proc.start_time,
      timestamp: nowIso(),
    });
  });
}
