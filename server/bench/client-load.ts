/**
 * Load client (issue 12), in its own process so the engine's event loop does only the engine's
 * work: executes against N sandboxes through the gateway, all concurrent. Timings (ms) as JSON on
 * stdout; a failed execute is counted with why, never ends the run.
 *   burst <rounds>:  each round, every sandbox runs one cell at the same moment; the next round
 *                    starts when all have answered;
 *   spaced <each>:   every sandbox runs `each` cells, one every 100 ms, the sandboxes' starts
 *                    staggered across those 100 ms (a steady concurrent load, not a stampede).
 * The sandboxes (public_host and token per line, tab-separated) come on stdin.
 *   node --import tsx server/bench/client-load.ts burst|spaced <n>
 */
import { readFileSync } from 'node:fs';

const [mode, nArg] = process.argv.slice(2);
const n = Number(nArg);
if (!['burst', 'spaced'].includes(mode ?? '') || !(Number.isInteger(n) && n >= 1 && n <= 1000)) {
  console.error('usage: client-load.ts burst|spaced <n>  (sandboxes on stdin: public_host<TAB>token)');
  process.exit(2);
}
const sandboxes = readFileSync(0, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => {
    const [host, token] = l.split('\t');
    return { host: host as string, token: token as string };
  });
const SPACING_MS = 100;

const latencies: number[] = [];
const errors: string[] = [];

async function execute(s: { host: string; token: string }, k: number): Promise<void> {
  const t0 = performance.now();
  try {
    const r = await fetch(`${s.host}/execute`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: `x = sum(range(1000)) + ${k}\nprint(x)`, language: 'python' }),
    });
    const out = (await r.json()) as { stdout?: string };
    if (r.status !== 200 || out.stdout !== `${499500 + k}\n`)
      throw new Error(`HTTP ${r.status}: ${JSON.stringify(out).slice(0, 200)}`);
    latencies.push(performance.now() - t0);
  } catch (err) {
    errors.push((err instanceof Error ? err.message : String(err)).slice(0, 300));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  // One warm-up cell per sandbox (connections), not counted.
  await Promise.all(sandboxes.map((s) => execute(s, 0)));
  latencies.length = 0;
  errors.length = 0;
  const t0 = performance.now();
  if (mode === 'burst') {
    for (let round = 1; round <= n; round++) await Promise.all(sandboxes.map((s) => execute(s, round)));
  } else {
    await Promise.all(
      sandboxes.map(async (s, i) => {
        await sleep((i * SPACING_MS) / sandboxes.length);
        for (let k = 1; k <= n; k++) {
          const started = performance.now();
          await execute(s, k);
          await sleep(Math.max(0, SPACING_MS - (performance.now() - started)));
        }
      }),
    );
  }
  process.stdout.write(JSON.stringify({ latencies, errors, wallMs: performance.now() - t0 }));
}

const timer = setTimeout(() => {
  console.error('client-load: gave up after 10 minutes');
  process.exit(1);
}, 600_000);
main().then(
  () => clearTimeout(timer),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
