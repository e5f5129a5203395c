/**
 * Bench client: GET /health every 10 ms, in its own process (a monitor, not the harness that
 * creates the sandboxes: a client busy with 20 creates would add its own delays to the figure).
 * Writes "ready" to stderr after its first answer, polls until its stdin ends (or 10 minutes),
 * then prints the latencies (ms) as JSON.
 *   node --import tsx server/bench/client-health.ts <base>
 */
export {};

const base = process.argv[2];
if (!base) {
  console.error('usage: client-health.ts <base>');
  process.exit(2);
}

const samples: number[] = [];
let on = true;
process.stdin.on('end', () => (on = false)).resume();
const stopAt = Date.now() + 600_000;

async function poll(): Promise<void> {
  let first = true;
  while (on && Date.now() < stopAt) {
    const t0 = performance.now();
    const r = await fetch(`${base}/health`);
    await r.arrayBuffer();
    if (first) {
      process.stderr.write('ready\n');
      first = false;
    } else samples.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

poll().then(
  () => process.stdout.write(JSON.stringify({ health: samples })),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
