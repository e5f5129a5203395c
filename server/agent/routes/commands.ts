/** /commands/run and /commands/background: `command` + `args` is exec'd; `command` alone goes through sh -c. */
import { z } from 'zod';
import { nowIso, readJson, sendJson, type Router } from '../http.ts';
import { NoNul, resolveWorkdir, RunEnv, runEnv } from '../execute.ts';
import { CappedOutput, CollectingSink, type OutputSink } from '../output.ts';
import { runProcess } from '../runner.ts';
import type { AgentState } from '../state.ts';
import { startBackground } from './execute.ts';

export const CommandRequest = z.object({
  command: NoNul('command', 1_000_000).pipe(z.string().min(1)),
  args: z.array(NoNul('args', 1_000_000)).max(10_000).optional(),
  timeout: z.number().positive().max(3600).optional(),
  workdir: NoNul('workdir', 4096).optional(),
  working_dir: NoNul('working_dir', 4096).optional(),
  env: RunEnv.optional(),
  name: z.string().max(256).optional(),
});
type CommandRequest = z.infer<typeof CommandRequest>;

function commandArgv(body: CommandRequest): [string, string[]] {
  return body.args ? [body.command, body.args] : ['/bin/sh', ['-c', body.command]];
}

function display(body: CommandRequest): string {
  return body.args ? [body.command, ...body.args].join(' ') : body.command;
}

/**
 * A validated command, ready to run: the working directory is checked now (a bad one is a 400 before
 * anything starts), and `go` runs it into a sink with the output cap, reporting a spawn failure (and,
 * when asked, a timeout) on stderr. Shared by /commands/run, /commands/background and /commands/stream.
 */
export function prepareCommand(state: AgentState, body: CommandRequest, defaultTimeoutSeconds: number) {
  const cwd = resolveWorkdir(state, body.workdir ?? body.working_dir);
  const [file, args] = commandArgv(body);
  const timeoutSeconds = body.timeout ?? defaultTimeoutSeconds;
  return {
    timeoutMs: timeoutSeconds * 1000,
    async go(
      sink: OutputSink,
      opts: { signal?: AbortSignal; onSpawn?: (pid: number) => void; sayTimeout?: boolean } = {},
    ) {
      const capped = new CappedOutput(state.cfg.outputCapBytes, sink);
      const started = performance.now();
      const out = await runProcess({
        file,
        args,
        cwd: cwd.real,
        env: runEnv(state, body.env),
        timeoutMs: timeoutSeconds * 1000,
        sink: capped,
        signal: opts.signal,
        onSpawn: opts.onSpawn,
      });
      if (out.spawnError) capped.text('stderr', `${out.spawnError}\n`);
      if (out.timedOut && opts.sayTimeout)
        capped.text('stderr', `Command timed out after ${timeoutSeconds} s\n`);
      return { ...out, truncated: capped.truncated, seconds: (performance.now() - started) / 1000 };
    },
  };
}

export function commandRoutes(router: Router, state: AgentState): void {
  router.on('POST', '/commands/run', async (ctx) => {
    const body = await readJson(ctx, CommandRequest);
    const command = prepareCommand(state, body, 30);
    const sink = new CollectingSink();
    let pid: number | null = null;
    const out = await command.go(sink, { onSpawn: (p) => (pid = p), sayTimeout: true });
    sendJson(ctx, 200, {
      success: out.exitCode === 0,
      stdout: sink.stdout,
      stderr: sink.stderr,
      exit_code: out.exitCode,
      execution_time: Math.round(out.seconds * 1000) / 1000,
      command: display(body),
      pid,
      truncated: out.truncated || undefined,
      timestamp: nowIso(),
    });
  });

  router.on('POST', '/commands/background', async (ctx) => {
    const body = await readJson(ctx, CommandRequest);
    const command = prepareCommand(state, body, 120);
    const proc = startBackground(state, 'command', body.name ?? '', 'bash', display(body), (p, sink) =>
      command.go(sink, { signal: p.abort.signal, onSpawn: (pid) => (p.pid = pid) }),
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
