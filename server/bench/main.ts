/**
 * `npm run bench`: every figure of issue 8, measured in one bounded run against the real engine on
 * loopback, each next to its goal and its baseline from the same run:
 *   1. creates: 20 back to back on a fresh engine, then 20 back to back and 20 at once on the
 *      pool that has seen that demand (create → running, create → first print(1)), spaced
 *      creates and a cold create for reference, /health p99 during the bursts;
 *   2. warm print(1): through the gateway, straight to the agent socket, streamed (first byte and
 *      complete); baselines: a fresh bwrap + python3 per run, the previous kernel path
 *      (jupyter_client → ipykernel) and the runner alone, both outside any sandbox;
 *   3. memory of one idle sandbox, then of N idle sandboxes with the engine's total;
 *   4. GET /v1/sandboxes with 10,000 records in the store;
 *   5. load (issue 12): 20 sandboxes running cells concurrently (bursts and spaced), errors and
 *      p50/p99, then 10 creates at once with their latency.
 * No assertions. Options (defaults are the issues' numbers; smaller ones for a quick run):
 * --creates N --runs N --idle N --records N --load-sandboxes N --load-rounds N --load-creates N.
 */
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { baselineFreshInterpreter } from '../runtime/index.ts';
import { benchCreates, createSandbox, deleteAll, printCreates, TEMPLATE } from './creates.ts';
import { availableMb, benchDensity } from './density.ts';
import { startEngine, type BenchEngine } from './engine.ts';
import { benchList } from './list.ts';
import { benchLoad, printLoad } from './load.ts';
import { treeMemory } from './memory.ts';
import { runClient, runJson } from './proc.ts';
import { line, ms, percentile, summarize, timed, waitFor, type Summary } from './stats.ts';

const CLIENT = fileURLToPath(new URL('./client.ts', import.meta.url));
const STREAM_CLIENT = fileURLToPath(new URL('./client-stream.ts', import.meta.url));
const ROUNDTRIP = fileURLToPath(new URL('./kernel-roundtrip.py', import.meta.url));
const RUNNER = fileURLToPath(new URL('../kernels/bridge.py', import.meta.url));
const AGENT_PORTS: [number, number] = [7800, 7999];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isInteger(v) && v >= 0 && v <= 20_000 ? v : fallback;
}

const loadAvg = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

async function benchExecute(e: BenchEngine, runs: number) {
  const sbx = await createSandbox(e);
  const socket = e.app.engine.svc.deps.runtime.socketPath(sbx.id);
  const r = await runClient<{ gateway: number[]; direct: number[] }>(CLIENT, [
    sbx.public_host,
    sbx.auth_token,
    socket,
    String(runs),
  ]);
  const st = await runClient<{ browser: number[]; sdk: number[]; firstByte: number[] }>(STREAM_CLIENT, [
    sbx.public_host,
    sbx.auth_token,
    e.base,
    String(Math.min(runs, 30)),
  ]);
  const base: number[] = [];
  for (let i = 0; i < Math.min(runs, 20); i++) {
    const { ms: t, value } = await timed(() => baselineFreshInterpreter());
    if (value.output !== '1') throw new Error(`baseline printed ${JSON.stringify(value.output)}`);
    base.push(t);
  }
  const kernel = async (kind: 'jupyter' | 'runner') =>
    runJson<{ start_ms: number; runs_ms: number[] }>('/usr/bin/python3', [
      ROUNDTRIP,
      kind,
      String(runs),
      RUNNER,
    ]).then(
      (k) => ({ start: k.start_ms, runs: summarize(k.runs_ms) }),
      (err: unknown) => ({ error: String(err instanceof Error ? err.message.split('\n')[0] : err) }),
    );
  await new Promise((res) => setTimeout(res, 3000));
  const pid = (e.store.db.prepare('SELECT pid FROM sandboxes WHERE id = ?').get(sbx.id) as { pid: number })
    .pid;
  const idle = treeMemory(pid);
  await deleteAll(e, [sbx.id]);
  return {
    gateway: summarize(r.gateway),
    direct: summarize(r.direct),
    cost: percentile(
      r.gateway.map((g, i) => g - (r.direct[i] ?? g)),
      50,
    ),
    browser: summarize(st.browser),
    sdk: summarize(st.sdk),
    firstByte: summarize(st.firstByte),
    fresh: summarize(base),
    jupyter: await kernel('jupyter'),
    runner: await kernel('runner'),
    idle,
  };
}

const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
function goal(label: string, value: number, limit: number, baseline: string): string {
  return `  ${label.padEnd(46)} ${ms(value).padStart(10)}   goal ≤ ${ms(limit).padEnd(9)} ${verdict(value <= limit).padEnd(8)} ${baseline}`;
}
type Kernel = { start: number; runs: Summary } | { error: string };
const kernelLine = (label: string, k: Kernel) =>
  'error' in k
    ? `${label.padEnd(44)} not runnable here: ${k.error}`
    : `${line(label, k.runs)}   (start ${ms(k.start)})`;

/** Set on Ctrl-C: the cleanup then owns the exit (the run it interrupts fails on its way out). */
let interrupted = false;

async function main(): Promise<void> {
  const creates = arg('--creates', 20);
  const runs = arg('--runs', 50);
  const idleN = arg('--idle', 100);
  const records = arg('--records', 10_000);
  const load = {
    sandboxes: arg('--load-sandboxes', 20),
    rounds: arg('--load-rounds', 10),
    creates: arg('--load-creates', 10),
  };
  const t0 = performance.now();
  console.log('Hopdeck benchmark (loopback only; figures from this run, no assertions)');
  console.log(
    `machine: ${cpus().length} CPUs, load average ${loadAvg()} at start, ${availableMb().toFixed(0)} MB available`,
  );
  const e = await startEngine({ warmPool: 1, agentPorts: AGENT_PORTS });
  const onSignal = () => {
    interrupted = true;
    console.error('\ninterrupted: cleaning up');
    void e.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    console.log(
      `engine ${e.base}, isolation ${e.isolation}, warm pool: 1 minimum per template, sized by demand`,
    );
    const fill = await waitFor('the warm pool', () => e.app.engine.pool.readyCount(TEMPLATE) > 0, 180_000);
    console.log(`first spare (kernel ready) after ${ms(fill)}: a cold boot, in the background`);
    // The other templates' first spares boot now too: a warm run is measured once they are done.
    const settled = await waitFor('the first spares', () => e.app.engine.pool.bootingCount() === 0, 180_000);
    console.log(`every template's first spare ready after ${ms(fill + settled)}\n`);

    const x = await benchExecute(e, runs);
    console.log('\nwarm print(1)');
    console.log(line('  through the gateway (POST /execute)', x.gateway));
    console.log(line('  straight to the agent socket', x.direct));
    console.log(line('  stream: first stdout frame', x.firstByte));
    console.log(line('  stream to complete, browser (Origin)', x.browser));
    console.log(line('  stream to complete, SDK-like', x.sdk));
    console.log(line('  baseline: fresh bwrap + python3 per run', x.fresh));
    console.log(kernelLine('  previous path: jupyter_client → ipykernel', x.jupyter));
    console.log(kernelLine('  the runner alone (framed fd 3)', x.runner));
    console.log(
      `  one idle sandbox: PSS ${x.idle.pssMb.toFixed(1)} MB, RSS ${x.idle.rssMb.toFixed(1)} MB, ${x.idle.processes} processes (${[...new Set(x.idle.commands)].join(', ')})`,
    );

    const list = records > 0 ? await benchList(e, records, 200) : null;
    if (list) console.log(`\n${line(`GET /v1/sandboxes, ${records} records`, list)}`);

    const c = await benchCreates(e, creates);
    printCreates(c, creates);

    const d = idleN > 0 ? await benchDensity(e, idleN) : null;
    if (d) {
      console.log(
        `\n${d.started} idle sandboxes (asked ${d.asked}, ${d.failed} creates failed), each over ${d.processes} processes (${d.commands.join(', ')})`,
      );
      console.log(line('  PSS per sandbox', d.pss).replace(/ ms/g, ' MB'));
      console.log(
        `  engine total ${d.totalMb.toFixed(0)} MB (engine ${d.enginePssMb.toFixed(0)} + sandboxes + ${d.spares} spares, PSS); machine available ${d.availableBeforeMb.toFixed(0)} → ${d.availableAfterMb.toFixed(0)} MB`,
      );
    }

    const l = load.sandboxes > 0 ? await benchLoad(e, load) : null;
    if (l) printLoad(l, load.rounds);
    console.log(`  load average now ${loadAvg()}`);

    const ratio = x.fresh.p50 / x.gateway.p50;
    console.log('\nSummary (figure, goal, verdict, baseline from this run)');
    console.log(
      goal('back to back: create → running p50', c.serial.running.p50, 100, `cold ${ms(c.cold.p50)}`),
    );
    console.log(
      goal(
        'back to back: create → first print(1) p50',
        c.serial.firstResult.p50,
        250,
        `cold ${ms(c.coldFirst.p50)}`,
      ),
    );
    console.log(goal('back to back: slowest create → first print(1)', c.serial.firstResult.max, 2000, ''));
    console.log(goal('at once: create → running p50', c.burst.running.p50, 100, `cold ${ms(c.cold.p50)}`));
    console.log(
      goal(
        'at once: create → first print(1) p50',
        c.burst.firstResult.p50,
        250,
        `cold ${ms(c.coldFirst.p50)}`,
      ),
    );
    console.log(goal('at once: slowest create → first print(1)', c.burst.firstResult.max, 2000, ''));
    console.log(
      `  ${'fresh engine, back to back: → running / → print'.padEnd(46)} ${ms(c.fresh.running.p50)} / ${ms(c.fresh.firstResult.p50)} p50, slowest ${ms(c.fresh.firstResult.max)} (the pool had not seen the demand yet)`,
    );
    console.log(
      goal(
        'warm print(1) through the gateway p50',
        x.gateway.p50,
        2,
        `fresh bwrap+python3 ${ms(x.fresh.p50)}: ${ratio.toFixed(0)}× (goal ≥ 10×: ${verdict(ratio >= 10)})`,
      ),
    );
    console.log(goal('first streamed byte p50', x.firstByte.p50, 3, ''));
    console.log(
      goal(
        `/health p99 during the ${creates} at once`,
        c.burst.health.p99,
        20,
        `back to back ${ms(c.serial.health.p99)}`,
      ),
    );
    console.log(
      goal(
        '  the same, polled at the engine priority',
        c.burst.healthRemote.p99,
        20,
        `back to back ${ms(c.serial.healthRemote.p99)}`,
      ),
    );
    if (list) console.log(goal(`GET /v1/sandboxes p99, ${records} records`, list.p99, 20, ''));
    if (d)
      console.log(
        `  ${'idle sandbox PSS (median, with ' + d.started + ' up)'.padEnd(46)} ${(d.pss.p50.toFixed(1) + ' MB').padStart(10)}   goal ≤ 50 MB    ${verdict(d.pss.p50 <= 50)}`,
      );
    if (l) {
      const errs = l.burst.errors.length + l.spaced.errors.length;
      console.log(
        `  ${`load: ${l.sandboxes} sandboxes × concurrent cells, errors`.padEnd(46)} ${String(errs).padStart(10)}   goal 0         ${verdict(errs === 0)}   p99 burst ${ms(l.burst.latency.p99)}, spaced ${ms(l.spaced.latency.p99)}`,
      );
    }
    console.log(`  load average at the end ${loadAvg()} (other work on the machine inflates every figure)`);
    console.log(`  total bench time ${(Math.round(performance.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    if (!interrupted) await e.close();
  }
}

main().then(
  () => {
    if (!interrupted) process.exit(0);
  },
  (err: unknown) => {
    if (interrupted) return; // the signal handler exits once every sandbox is destroyed
    console.error('bench failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
