/**
 * The benchmark's client, run as its own process so that the engine's event loop does only the
 * engine's work: N sequential `print(1)` executes through the gateway (`public_host` + token) and N
 * straight to the agent's unix socket, interleaved so both see the same machine load. Both use the
 * same keep-alive node:http client, so only the path differs. Timings (ms) as JSON on stdout.
 *   node --import tsx server/bench/client.ts <public_host> <token> <agent socket> <runs>
 */
import http from 'node:http';

const [publicHost, token, socketPath, runsArg] = process.argv.slice(2);
const runs = Number(runsArg);
if (!publicHost || !token || !socketPath || !Number.isInteger(runs) || runs < 1 || runs > 1000) {
  console.error('usage: client.ts <public_host> <token> <agent socket> <runs>');
  process.exit(2);
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
const viaGateway: http.RequestOptions = {
  host: new URL(publicHost).hostname,
  port: Number(new URL(publicHost).port),
};
const direct: http.RequestOptions = { socketPath };
const body = JSON.stringify({ code: 'print(1)', language: 'python' });

function once(where: http.RequestOptions): Promise<number> {
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
          ...(where === viaGateway ? { authorization: `Bearer ${token}` } : {}),
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

const gateway: number[] = [];
const agentOnly: number[] = [];
for (let i = 0; i < 5; i++) await once(viaGateway); // warm-up: connections, first cells
await once(direct);
for (let i = 0; i < runs; i++) {
  // Alternate which path goes first, so neither always follows the other.
  if (i % 2 === 0) {
    gateway.push(await once(viaGateway));
    agentOnly.push(await once(direct));
  } else {
    agentOnly.push(await once(direct));
    gateway.push(await once(viaGateway));
  }
}
process.stdout.write(JSON.stringify({ gateway, direct: agentOnly }));
agent.destroy();
