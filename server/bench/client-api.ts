/**
 * Benchmark client for the control plane, in its own process so the engine's event loop does only
 * the engine's work. Modes (timings in ms, JSON on stdout):
 *   serial <n>: n creates back to back, each followed by its first `print(1)` through the gateway
 *               (as an agent harness does), then the next create;
 *   burst <n>:  n creates issued at once, each followed by its first `print(1)`;
 *   list <n>:   n sequential GET /v1/sandboxes.
 * /health is polled meanwhile by client-health.ts, a process of its own.
 *   node --import tsx server/bench/client-api.ts <base> <api key> <mode> <n>
 */
export {};

const [base, apiKey, mode, nArg] = process.argv.slice(2);
const n = Number(nArg);
if (!base || !apiKey || !['serial', 'burst', 'list'].includes(mode ?? '') || !(n >= 1 && n <= 1000)) {
  console.error('usage: client-api.ts <base> <api key> serial|burst|list <n>');
  process.exit(2);
}
const headers = { 'x-api-key': apiKey as string, 'content-type': 'application/json' };

interface CreateTiming {
  id: string;
  running: number;
  firstResult: number;
}

/** A create that failed is reported (with why), not allowed to end the run. */
interface CreateFailure {
  failed: string;
}

async function createAndRun(): Promise<CreateTiming> {
  const t0 = performance.now();
  const res = await fetch(`${base}/v1/sandboxes`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ template_name: 'code-interpreter', timeout_seconds: 900 }),
  });
  const body = (await res.json()) as { id: string; status: string; public_host: string; auth_token: string };
  const running = performance.now() - t0;
  if (res.status !== 201 || body.status !== 'running')
    throw new Error(`create answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  const exec = await fetch(`${body.public_host}/execute`, {
    method: 'POST',
    headers: { authorization: `Bearer ${body.auth_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ code: 'print(1)', language: 'python' }),
  });
  const out = (await exec.json()) as { stdout?: string };
  const firstResult = performance.now() - t0;
  if (out.stdout !== '1\n') throw new Error(`first print(1) gave ${JSON.stringify(out).slice(0, 300)}`);
  return { id: body.id, running, firstResult };
}

async function main(): Promise<unknown> {
  if (mode === 'list') {
    const list: number[] = [];
    for (let i = 0; i < n + 5; i++) {
      const t0 = performance.now();
      const r = await fetch(`${base}/v1/sandboxes?limit=100`, { headers });
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`list answered ${r.status}`);
      if (i >= 5) list.push(performance.now() - t0); // the first few warm up connections
    }
    return { list };
  }
  let creates: (CreateTiming | CreateFailure)[];
  const attempt = () =>
    createAndRun().catch((err: unknown) => ({
      failed: (err instanceof Error ? err.message : String(err)).slice(0, 300),
    }));
  if (mode === 'serial') {
    creates = [];
    for (let i = 0; i < n; i++) creates.push(await attempt());
  } else {
    creates = await Promise.all(Array.from({ length: n }, attempt));
  }
  return { creates };
}

const timer = setTimeout(() => {
  console.error('client-api: gave up after 10 minutes');
  process.exit(1);
}, 600_000);
main().then(
  (r) => {
    clearTimeout(timer);
    process.stdout.write(JSON.stringify(r));
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
