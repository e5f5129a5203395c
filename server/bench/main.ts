/**
 * `npm run bench`: figures measured in one bounded run against the real engine on loopback.
 *   1. create → running: POST /v1/sandboxes to 201 with a warm pool (each sandbox deleted after);
 *   2. warm `print(1)`: POST {public_host}/execute through the gateway, and straight to the agent's
 *      socket for the gateway's own cost;
 *   3. baseline: a fresh isolated interpreter per run (bwrap + /usr/bin/python3 -c "print(1)");
 *   4. memory of one idle sandbox (its process tree).
 * No assertions: it prints figures and the goals next to them. Options: --creates N --runs N.
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { agentRequest } from '../control-plane/agent-client.ts';
import { baselineFreshInterpreter } from '../runtime/index.ts';
import { startEngine, type BenchEngine } from './engine.ts';
import { treeMemory } from './memory.ts';
import { line, ms, percentile, summarize, timed, waitFor } from './stats.ts';

const TEMPLATE = 'code-interpreter';
const CLIENT = fileURLToPath(new URL('./client.ts', import.meta.url));
const STREAM_CLIENT = fileURLToPath(new URL('./client-stream.ts', import.meta.url));
const AGENT_PORTS: [number, number] = [7950, 7999];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isInteger(v) && v > 0 && v <= 1000 ? v : fallback;
}

interface Created {
  id: string;
  public_host: string;
  auth_token: string;
}

async function api(
  e: BenchEngine,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${e.base}${path}`, {
    method,
    headers: { 'x-api-key': e.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** `cold`: internet off, which the warm pool (built with internet on) cannot serve: a fresh boot. */
async function createSandbox(e: BenchEngine, cold = false): Promise<Created> {
  const r = await api(e, 'POST', '/v1/sandboxes', {
    template_name: TEMPLATE,
    ...(cold ? { internet_access: false } : {}),
  });
  if (r.status !== 201) throw new Error(`create answered ${r.status}: ${JSON.stringify(r.json)}`);
  return r.json as Created;
}

/** A pool sandbox counts as warm once its agent answers and its Python kernel is ready. */
async function poolWarm(e: BenchEngine): Promise<boolean> {
  if (e.app.engine.pool.readyCount(TEMPLATE) < 1) return false;
  const rows = e.store.db
    .prepare("SELECT id FROM sandboxes WHERE pool = 1 AND status = 'running' AND template_name = ?")
    .all(TEMPLATE) as { id: string }[];
  for (const { id } of rows) {
    const r = await agentRequest(
      e.app.engine.svc.deps.runtime.socketPath(id),
      'GET',
      '/kernel',
      undefined,
      1000,
    ).catch(() => null);
    if ((r?.body as { state?: string } | null)?.state === 'ready') return true;
  }
  return false;
}

async function benchCreates(e: BenchEngine, n: number) {
  const samples: number[] = [];
  let refillWait = 0;
  for (let i = 0; i < n; i++) {
    refillWait += await waitFor('a warm sandbox', () => poolWarm(e), 120_000);
    const { ms: t, value } = await timed(() => createSandbox(e));
    samples.push(t);
    const del = await api(e, 'DELETE', `/v1/sandboxes/${value.id}`);
    if (del.status !== 200) throw new Error(`delete answered ${del.status}`);
  }
  return { summary: summarize(samples), refillWaitPerCreate: refillWait / n };
}

/** Run a benchmark client (its own process) and parse the JSON it prints. */
function runClient<T>(script: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const kill = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(kill);
      if (code !== 0) return reject(new Error(`bench client ${script} exited with ${code}`));
      try {
        resolve(JSON.parse(out) as T);
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

async function benchExecute(e: BenchEngine, sbx: Created, runs: number) {
  const socket = e.app.engine.svc.deps.runtime.socketPath(sbx.id);
  const r = await runClient<{ gateway: number[]; direct: number[] }>(CLIENT, [
    sbx.public_host,
    sbx.auth_token,
    socket,
    String(runs),
  ]);
  // Runs are paired (same moment, same load): the median of the differences is the gateway's cost.
  const diffs = r.gateway.map((g, i) => g - (r.direct[i] ?? g));
  return { gateway: summarize(r.gateway), direct: summarize(r.direct), cost: percentile(diffs, 50) };
}

async function benchStream(e: BenchEngine, sbx: Created, runs: number) {
  const r = await runClient<{ browser: number[]; sdk: number[] }>(STREAM_CLIENT, [
    sbx.public_host,
    sbx.auth_token,
    e.base,
    String(runs),
  ]);
  return { browser: summarize(r.browser), sdk: summarize(r.sdk) };
}

async function benchBaseline(runs: number) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { ms: t, value } = await timed(() => baselineFreshInterpreter());
    if (value.output !== '1') throw new Error(`baseline printed ${JSON.stringify(value.output)}`);
    samples.push(t);
  }
  return summarize(samples);
}

async function main(): Promise<void> {
  const creates = arg('--creates', 20);
  const runs = arg('--runs', 50);
  const t0 = performance.now();
  console.log('Hopdeck benchmark (loopback only; figures from this run, no assertions)');
  console.log(
    `machine: ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at start`,
  );
  const e = await startEngine({ warmPool: 1, agentPorts: AGENT_PORTS });
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    console.error('\ninterrupted: cleaning up');
    void e.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    console.log(`engine ${e.base}, isolation ${e.isolation}, warm pool 1 per template`);
    const fill = await waitFor('the warm pool', () => poolWarm(e), 180_000);
    console.log(`warm pool (kernel ready) after ${ms(fill)}: cold boots, in the background\n`);

    const c = await benchCreates(e, creates);
    console.log(line('create → running (POST /v1/sandboxes → 201)', c.summary));
    console.log(
      `${''.padEnd(44)} refill to a warm kernel between creates: ${ms(c.refillWaitPerCreate)} on average (one boot at a time)`,
    );

    const cold: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { ms: t, value } = await timed(() => createSandbox(e, true));
      cold.push(t);
      await api(e, 'DELETE', `/v1/sandboxes/${value.id}`);
    }
    const coldSummary = summarize(cold);
    console.log(line('  for reference, a cold create (no pool)', coldSummary));

    // Let the pool's refill (a kernel boot) finish, so the runs below do not compete with it.
    await waitFor('the warm pool to refill', () => poolWarm(e), 180_000);
    const sbx = await createSandbox(e);
    await waitFor('the warm pool to refill', () => poolWarm(e), 180_000);
    const x = await benchExecute(e, sbx, runs);
    console.log(line('warm print(1) through the gateway', x.gateway));
    console.log(line('warm print(1) straight to the agent socket', x.direct));
    const st = await benchStream(e, sbx, Math.min(runs, 20));
    console.log(line('warm print(1) stream, browser (Origin)', st.browser));
    console.log(line('warm print(1) stream, SDK-like (no Origin)', st.sdk));
    const base = await benchBaseline(Math.min(runs, 20));
    console.log(line('baseline: fresh bwrap + python3 per run', base));

    await new Promise((r) => setTimeout(r, 2000));
    const pid = (
      e.store.db.prepare('SELECT pid FROM sandboxes WHERE id = ?').get(sbx.id) as { pid: number | null }
    ).pid;
    const mem = pid ? treeMemory(pid) : null;
    await api(e, 'DELETE', `/v1/sandboxes/${sbx.id}`);

    const ratio = base.p50 / x.gateway.p50;
    console.log('\nSummary');
    console.log(
      `  create p50 ${ms(c.summary.p50)} (goal ≤ 100 ms): ${c.summary.p50 <= 100 ? 'met' : 'NOT met'}`,
    );
    console.log(
      `  warm execute p50 ${ms(x.gateway.p50)} vs baseline p50 ${ms(base.p50)}: ${ratio.toFixed(2)}× faster (goal ≥ 5×): ${ratio >= 5 ? 'met' : 'NOT met'}`,
    );
    console.log(`  gateway cost per execute (median of paired differences): ${ms(x.cost)}`);
    if (mem) {
      console.log(
        `  idle sandbox memory: RSS ${mem.rssMb.toFixed(1)} MB, PSS ${mem.pssMb.toFixed(1)} MB over ${mem.processes} processes (${[...new Set(mem.commands)].join(', ')})`,
      );
    } else console.log('  idle sandbox memory: unknown (no pid recorded)');
    console.log(
      `  load average at the end ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (a busy machine inflates every figure)`,
    );
    console.log(`  total bench time ${(Math.round(performance.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    if (!interrupted) await e.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('bench failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
