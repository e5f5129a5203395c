/** /health, /info, /ping, /system, /metrics/snapshot, /env. */
import { cpus, hostname, release, arch } from 'node:os';
import { z } from 'zod';
import { rfc3339 } from '../../../contract/wire.ts';
import { nowIso, readJson, sendJson, type Router } from '../http.ts';
import type { AgentState } from '../state.ts';
import { listProcs, usage } from '../usage.ts';

export const AGENT_VERSION = '0.1.0';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const EnvBody = z.object({
  env_vars: z.record(
    z.string().regex(ENV_NAME, 'invalid variable name').max(256),
    z
      .string()
      .max(131_072)
      .refine((v) => !v.includes('\0'), 'environment variable values must not contain NUL bytes'),
  ),
  merge: z.boolean().optional(),
  timestamp: z.string().optional(),
});

const FEATURES = {
  code_execution: true,
  file_operations: true,
  terminal_access: true,
  websocket_streaming: true,
  rich_output: true,
  background_jobs: true,
  ipython_kernel: true,
  system_metrics: true,
  languages: ['python', 'javascript', 'bash'],
};

function uptimeText(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `${h}h${m}m${Math.floor(seconds % 60)}s`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export function systemRoutes(router: Router, state: AgentState): void {
  const uptime = () => (Date.now() - state.metrics.startedAt) / 1000;

  router.on('GET', '/health', (ctx) => {
    sendJson(ctx, 200, {
      status: 'healthy',
      agent: 'hopdeck-agent',
      version: AGENT_VERSION,
      uptime: uptimeText(uptime()),
      uptime_seconds: Math.round(uptime()),
      vm_id: state.cfg.sandboxId,
      active_streams: state.metrics.streams,
      kernel: state.kernel.state,
      features: FEATURES,
      timestamp: nowIso(),
    });
  });

  router.on('GET', '/ping', (ctx) =>
    sendJson(ctx, 200, { message: 'pong', status: 'ok', timestamp: nowIso() }),
  );

  router.on('GET', '/info', (ctx) => {
    const start = rfc3339(state.metrics.startedAt);
    sendJson(ctx, 200, {
      agent: 'hopdeck-agent',
      version: AGENT_VERSION,
      agent_version: AGENT_VERSION,
      vm_id: state.cfg.sandboxId,
      os: 'linux',
      platform: process.platform,
      arch: arch(),
      go_version: null,
      node_version: process.version,
      ip: '127.0.0.1',
      vm_ip: '127.0.0.1',
      port: 7777,
      vm_port: 7777,
      start_time: start,
      uptime: Math.round(uptime()),
      endpoints: {
        health: 'GET /health',
        execute: 'POST /execute',
        execute_stream: 'GET /execute/stream',
        background: 'POST /execute/background',
        processes: 'GET /execute/processes',
        commands: 'POST /commands/run',
        files: 'GET /files/list',
        env: 'GET /env',
        metrics: 'GET /metrics/snapshot',
        kernel_restart: 'POST /kernel/restart',
      },
      features: FEATURES,
      timestamp: nowIso(),
    });
  });

  router.on('GET', '/system', async (ctx) => {
    const u = await usage(state);
    const cpuList = cpus();
    sendJson(ctx, 200, {
      os: {
        name: 'linux',
        version: release(),
        kernel: release(),
        arch: arch(),
        hostname: hostname(),
        timezone: 'UTC',
      },
      hardware: {
        cpu_cores: state.cfg.resources?.vcpu ?? cpuList.length,
        cpu_model: cpuList[0]?.model ?? 'unknown',
        memory_mb: Math.round(u.memory.total / 1048576),
        disk_mb: Math.round(u.disk.total / 1048576),
      },
      network: { interfaces: [], hostname: hostname() },
      environment: {
        shell: '/bin/bash',
        path: '/usr/local/bin:/usr/bin:/bin',
        user: 'user',
        home: '/home/user',
        working_dir: state.cfg.workdir,
      },
      capabilities: ['Python', 'Node.js', 'Bash', 'Jupyter'],
      ...u,
      uptime: Math.round(uptime()),
      timestamp: nowIso(),
    });
  });

  const snapshot = async () => {
    const d = [...state.metrics.durations].sort((a, b) => a - b);
    const avg = d.length ? d.reduce((a, b) => a + b, 0) / d.length : 0;
    const p95 = d.length ? (d[Math.min(d.length - 1, Math.floor(d.length * 0.95))] ?? 0) : 0;
    const running = [...state.processes.values()].filter((p) => p.status === 'running').length;
    return {
      uptime_seconds: Math.round(uptime()),
      total_executions: state.metrics.executions,
      active_executions: state.metrics.active,
      total_requests: state.metrics.requests,
      requests_total: state.metrics.requests,
      total_errors: state.metrics.errors,
      error_count: state.metrics.errors,
      avg_duration_ms: round(avg),
      p95_duration_ms: round(p95),
      system: await usage(state),
      process: { count: state.processes.size, running },
      cache: { size: 0, hits: 0, misses: 0, hit_rate: 0 },
      timestamp: nowIso(),
    };
  };
  router.on('GET', '/metrics/snapshot', async (ctx) => sendJson(ctx, 200, await snapshot()));
  router.on('GET', '/metrics', async (ctx) => sendJson(ctx, 200, await snapshot()));

  router.on('GET', '/processes', (ctx) => {
    const processes = listProcs().map((p) => ({
      pid: p.pid,
      name: p.name,
      status:
        p.state === 'R' ? 'running' : p.state === 'Z' ? 'zombie' : p.state === 'T' ? 'stopped' : 'sleeping',
      cpu_time_seconds: p.ticks / 100,
      memory_mb: round(p.rssBytes / 1048576),
      command: p.command.slice(0, 1000),
    }));
    sendJson(ctx, 200, { processes, count: processes.length, timestamp: nowIso() });
  });

  const envReply = () => ({
    env_vars: { ...state.env },
    count: Object.keys(state.env).length,
    timestamp: nowIso(),
  });
  router.on('GET', '/env', (ctx) => sendJson(ctx, 200, envReply()));
  router.on('PUT', '/env', async (ctx) => {
    const body = await readJson(ctx, EnvBody);
    if (body.merge) Object.assign(state.env, body.env_vars);
    else state.replaceEnv(body.env_vars);
    sendJson(ctx, 200, envReply());
  });
  router.on('PATCH', '/env', async (ctx) => {
    const body = await readJson(ctx, EnvBody);
    Object.assign(state.env, body.env_vars);
    sendJson(ctx, 200, envReply());
  });
  router.on('DELETE', '/env', (ctx) => {
    state.replaceEnv({});
    sendJson(ctx, 200, envReply());
  });
  router.on('DELETE', '/env/:key', (ctx) => {
    delete state.env[ctx.params.key ?? ''];
    sendJson(ctx, 200, envReply());
  });
}
