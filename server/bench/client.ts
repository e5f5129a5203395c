/**
 * The benchmark's client, run as its own process so that the engine's event loop does only the
 * engine's work: N sequential `print(1)` executes, timings (ms) as JSON on stdout. The target is an
 * agent base URL (the gateway: `http://127.0.0.1:71xx`, with a token) or `unix:<socket>` (the agent
 * itself, no gateway). Both use the same keep-alive node:http client, so only the path differs.
 *   node --import tsx server/bench/client.ts <target> <token|-> <runs>
 */
import http from 'node:http';

const [target, token, runsArg] = process.argv.slice(2);
const runs = Number(runsArg);
if (!target || !token || !Number.isInteger(runs) || runs < 1 || runs > 1000) {
  console.error('usage: client.ts <public_host|unix:socket> <token|-> <runs>');
  process.exit(2);
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const where: http.RequestOptions = target.startsWith('unix:')
  ? { socketPath: target.slice(5) }
  : { host: new URL(target).hostname, port: Number(new URL(target).port) };
const body = JSON.stringify({ code: 'print(1)', language: 'python' });

function once(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(
      {
        ...where,
        agent,
        method: 'POST',
        path: '/execute',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(token === '-' ? {} : { authorization: `Bearer ${token}` }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => {
          const ms = performance.now() - t0;
          const stdout = (JSON.parse(text) as { stdout?: string }).stdout;
          if (res.statusCode !== 200 || stdout !== '1\n')
            reject(new Error(`execute answered ${res.statusCode}: ${text.slice(0, 300)}`));
          else resolve(ms);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const samples: number[] = [];
for (let i = 0; i < 5; i++) await once(); // warm-up: connection, first cells
for (let i = 0; i < runs; i++) samples.push(await once());
process.stdout.write(JSON.stringify(samples));
agent.destroy();
