/** Everything the agent keeps in memory: config, the global env, the kernel, jobs and counters. */
import type { AgentConfig } from './config.ts';
import { baseEnv } from './config.ts';
import { PythonKernel } from './kernel.ts';
import type { RichOutput } from '../../contract/schemas.ts';

export interface BackgroundProcess {
  process_id: string;
  execution_id: string;
  name: string;
  kind: 'execute' | 'command';
  language: string;
  command: string;
  status: 'running' | 'completed' | 'failed' | 'killed' | 'timeout';
  pid: number | null;
  start_time: string;
  end_time: string | null;
  exit_code: number | null;
  duration: number | null;
  stdout: string;
  stderr: string;
  rich_outputs: RichOutput[];
  truncated: boolean;
  abort: AbortController;
}

export interface Metrics {
  startedAt: number;
  requests: number;
  errors: number;
  executions: number;
  active: number;
  streams: number;
  durations: number[];
}

/** Keep at most this many finished background processes in the list. */
export const MAX_FINISHED_PROCESSES = 100;

export class AgentState {
  readonly env: Record<string, string>;
  readonly kernel: PythonKernel;
  readonly processes = new Map<string, BackgroundProcess>();
  /** True while the agent runs its warm-up (warmup.ts), before its socket exists. */
  warmingUp = false;
  readonly metrics: Metrics = {
    startedAt: Date.now(),
    requests: 0,
    errors: 0,
    executions: 0,
    active: 0,
    streams: 0,
    durations: [],
  };

  constructor(
    readonly cfg: AgentConfig,
    readonly log: (msg: string) => void,
  ) {
    this.env = { ...cfg.env };
    const workdir = cfg.fsRoot === '/' ? cfg.workdir : `${cfg.fsRoot}${cfg.workdir}`;
    this.kernel = new PythonKernel(
      cfg.python,
      cfg.bridgePath,
      () => baseEnv(cfg),
      workdir,
      log,
      cfg.outputCapBytes,
    );
  }

  replaceEnv(next: Record<string, string>): void {
    for (const k of Object.keys(this.env)) delete this.env[k];
    Object.assign(this.env, next);
  }

  pruneProcesses(): void {
    const finished = [...this.processes.values()].filter((p) => p.status !== 'running');
    for (const p of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED_PROCESSES))) {
      this.processes.delete(p.process_id);
    }
  }
}
