/**
 * Benchmark client for `/execute/stream` through the gateway, in its own process: N sequential
 * `print(1)` runs from sending the `execute` frame to the first `stdout` frame (first byte) and to
 * the `complete` frame, as a browser would
 * (with an allowed Origin) and as an SDK would (no Origin, permessage-deflate offered like the
 * SDK's ws; see server/gateway/ws-outbox.ts). Timings (ms) as JSON on stdout.
 *   node --import tsx server/bench/client-stream.ts <public_host> <token> <dashboard origin> <runs>
 */
import WebSocket from 'ws';

const [publicHost, token, origin, runsArg] = process.argv.slice(2);
const runs = Number(runsArg);
if (!publicHost || !token || !origin || !Number.isInteger(runs) || runs < 1 || runs > 1000) {
  console.error('usage: client-stream.ts <public_host> <token> <dashboard origin> <runs>');
  process.exit(2);
}
const url = `${publicHost.replace(/^http/, 'ws')}/execute/stream`;

const firstByte: number[] = [];
/** The same first-frame times by kind of client (browsers get small frames undeflated). */
const firstBy = { browser: [] as number[], sdk: [] as number[] };

function once(asBrowser: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (asBrowser) headers.origin = origin as string;
    const ws = new WebSocket(url, { headers });
    let t0 = 0;
    let out = '';
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('stream run timed out'));
    }, 30_000);
    ws.on('open', () => {
      t0 = performance.now();
      ws.send(JSON.stringify({ type: 'execute', code: 'print(1)', language: 'python' }));
    });
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as { type: string; data?: string };
      if (f.type === 'stdout') {
        if (out === '') {
          const ms = performance.now() - t0;
          firstByte.push(ms);
          firstBy[asBrowser ? 'browser' : 'sdk'].push(ms);
        }
        out += f.data ?? '';
      }
      if (f.type !== 'complete') return;
      const ms = performance.now() - t0;
      clearTimeout(timer);
      ws.close();
      if (out !== '1\n') reject(new Error(`stream printed ${JSON.stringify(out)}`));
      else resolve(ms);
    });
    ws.on('error', reject);
  });
}

const browser: number[] = [];
const sdk: number[] = [];
for (let i = 0; i < 3; i++) await once(true);
firstByte.length = 0;
firstBy.browser.length = 0;
firstBy.sdk.length = 0;
for (let i = 0; i < runs; i++) {
  browser.push(await once(true));
  sdk.push(await once(false));
}
process.stdout.write(
  JSON.stringify({
    browser,
    sdk,
    firstByte,
    firstByteBrowser: firstBy.browser,
    firstByteSdk: firstBy.sdk,
  }),
);
