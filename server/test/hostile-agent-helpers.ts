/**
 * Shared pieces of the hostile agent tests: a real engine (bwrap sandboxes, gateway), a victim and
 * a neighbour sandbox, agent calls through the gateway that fail the test instead of hanging it,
 * and the checks that the host side is untouched.
 */
import { appendFileSync, readdirSync, readFileSync, statfsSync } from 'node:fs';
import { createServer } from 'node:net';
import { expect } from 'vitest';
import { Sandbox } from '../../contract/schemas.ts';
import { json, startEngine, type TestEngine } from './engine.ts';

export interface Reply {
  status: number;
  body: Record<string, unknown>;
  text: string;
  bytes: number;
}

/** One agent call through the sandbox's gateway port; a call that does not answer in `ms` throws. */
export async function call(
  s: Sandbox,
  method: string,
  path: string,
  body?: unknown,
  ms = 20_000,
): Promise<Reply> {
  const res = await fetch(`${s.public_host}${path}`, {
    method,
    headers: { authorization: `Bearer ${s.auth_token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(ms),
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON (a download) */
  }
  return { status: res.status, body: parsed, text, bytes: Buffer.byteLength(text) };
}

/** Run a shell command in the sandbox; returns stdout (a command that fails, e.g. cannot fork, fails the test). */
export async function sh(s: Sandbox, command: string, timeout = 30): Promise<string> {
  const r = await call(s, 'POST', '/commands/run', { command, timeout }, (timeout + 20) * 1000);
  expect(r.status, r.text).toBe(200);
  expect(r.body.exit_code, r.text).toBe(0);
  return String(r.body.stdout);
}

export async function createSandbox(e: TestEngine, payload: Record<string, unknown> = {}): Promise<Sandbox> {
  const res = await e.app.inject({
    method: 'POST',
    url: '/v1/sandboxes',
    headers: e.auth,
    payload: { template_name: 'ubuntu', timeout_seconds: 3600, ...payload },
  });
  expect(res.statusCode, res.body).toBe(201);
  return Sandbox.parse(json(res));
}

export interface Stage {
  e: TestEngine;
  /** The sandbox the hostile requests go to. */
  s: Sandbox;
  /** A neighbour that must keep working. */
  n: Sandbox;
  /** The agent's start time: unchanged means it never crashed or restarted. */
  agentStart: string;
  /** The host before the hostile case (Python kernels already up in both sandboxes). */
  host: HostBaseline;
}

export async function setStage(
  victim: Record<string, unknown> = {},
  engine: Parameters<typeof startEngine>[0] = {},
): Promise<Stage> {
  const e = await startEngine(engine);
  await e.listen();
  const [s, n] = await Promise.all([createSandbox(e, victim), createSandbox(e)]);
  const info = await call(s, 'GET', '/info');
  // Start both Python kernels now, so that they count in the baseline.
  await Promise.all([neighbourMs(s), neighbourMs(n)]);
  return { e, s, n, agentStart: String(info.body.start_time), host: await hostBaseline({ e, s }) };
}

/**
 * The host side is untouched: the engine's /health answers, the neighbour runs code, and the
 * victim's agent is the same process as at the start (it did not crash) and still answers.
 */
export async function expectUnharmed(stage: Stage, label?: string): Promise<void> {
  if (label) await expectHostUntouched(stage, label);
  const health = await fetch(`${stage.e.baseUrl}/health`, { signal: AbortSignal.timeout(5000) });
  expect(health.status).toBe(200);
  const run = await call(stage.n, 'POST', '/execute', { language: 'bash', code: 'echo neighbour-$((40+2))' });
  expect(run.body).toMatchObject({ success: true, stdout: 'neighbour-42\n' });
  const info = await call(stage.s, 'GET', '/info', undefined, 5000);
  expect(info.status).toBe(200);
  expect(info.body.start_time).toBe(stage.agentStart);
}

// ---- Host checks for the hostile suite (issue 12): disk, processes, /health, neighbour ----

const MB = 1024 * 1024;

/** Free bytes (for an unprivileged user) on the filesystem holding `dir`. */
export function hostFree(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

/** Host pids whose real uid is `uid`. */
export function procsOfUid(uid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${name}/status`, 'utf8'));
      if (m && Number(m[1]) === uid) out.push(Number(name));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** Those of `pids` that are not in the sandbox's cgroup (`hopdeck/<id>`): leftovers a stop would miss. */
export function outsideCgroup(pids: number[], id: string): number[] {
  return pids.filter((pid) => {
    try {
      return !readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(`/hopdeck/${id}`);
    } catch {
      return false;
    }
  });
}

export const hostProcessCount = () => readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;

export interface HostBaseline {
  free: number;
  /** Free bytes at the previous check (the per-case figure). */
  lastFree: number;
  procs: number;
  /** Host processes of the victim's uid (agent, kernel and their threads' owners). */
  victim: number;
  uid: number;
}

export async function hostBaseline(stage: Pick<Stage, 'e' | 's'>): Promise<HostBaseline> {
  const uid = Number((await sh(stage.s, 'id -u')).trim());
  const free = hostFree(stage.e.dataDir);
  return { free, lastFree: free, procs: hostProcessCount(), victim: procsOfUid(uid).length, uid };
}

export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await fn();
  return [v, Math.round(performance.now() - t0)];
}

/** The engine's /health answers within 5 s (a liveness bound, not a speed figure); returns its latency. */
export async function healthMs(e: TestEngine): Promise<number> {
  const [res, ms] = await timed(() => fetch(`${e.baseUrl}/health`, { signal: AbortSignal.timeout(5000) }));
  expect(res.status).toBe(200);
  return ms;
}

/** The neighbour runs `print(1)` in Python; returns the call's latency. */
export async function neighbourMs(n: Sandbox): Promise<number> {
  const [r, ms] = await timed(() =>
    call(n, 'POST', '/execute', { language: 'python', code: 'print(1)' }, 30_000),
  );
  expect(r.body, r.text).toMatchObject({ success: true, stdout: '1\n' });
  return ms;
}

export interface HostFigures {
  diskDeltaMb: number;
  hostProcsDelta: number;
  victimProcs: string;
  healthMs: number;
  neighbourMs: number;
}

async function until(ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
}

/**
 * The host is untouched after a hostile case: its free disk within `diskSlackMb` of the baseline,
 * the victim's processes back to their level and none outside its cgroup, /health answering and
 * the neighbour running Python. Prints (and returns) the figures for decision 0008's table.
 */
export async function expectHostUntouched(
  stage: Stage,
  label: string,
  { diskSlackMb = 64, extraProcs = 0 } = {},
): Promise<HostFigures> {
  const { host } = stage;
  const level = host.victim + extraProcs;
  await until(() => procsOfUid(host.uid).length <= level, 20_000);
  const pids = procsOfUid(host.uid);
  expect(outsideCgroup(pids, stage.s.id), 'processes outside the sandbox cgroup').toEqual([]);
  expect(pids.length, 'victim processes back to their level').toBeLessThanOrEqual(level);
  const free = hostFree(stage.e.dataDir);
  const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10;
  // Since the stage was set (all cases of the file so far) and since the previous check (this case).
  expect(mb(host.free - free), 'host free disk used (MB)').toBeLessThan(diskSlackMb);
  const diskDeltaMb = mb(host.lastFree - free);
  host.lastFree = free;
  const figures: HostFigures = {
    diskDeltaMb,
    hostProcsDelta: hostProcessCount() - host.procs,
    victimProcs: `${host.victim}→${pids.length}`,
    healthMs: await healthMs(stage.e),
    neighbourMs: await neighbourMs(stage.n),
  };
  report(label, figures);
  return figures;
}

/** One line per case on stdout, and in $HOSTILE_FIGURES (JSON lines) when set. */
export function report(label: string, figures: object): void {
  const line = JSON.stringify({ case: label, ...figures });
  console.log(`[hostile] ${line}`);
  if (process.env.HOSTILE_FIGURES) appendFileSync(process.env.HOSTILE_FIGURES, `${line}\n`);
}

/** A free loopback port (for engines started as processes). */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
