// The engine behind a real TLS-terminating reverse proxy (issue 13, docs/deploy-behind-tls-proxy.md):
// Debian's nginx on a loopback port with a wildcard certificate for *.hopdeck.localhost made here
// by openssl, the engine on another loopback port with --public-url https://hopdeck.localhost:<port>.
// The official SDK's flow runs through the proxy only: WebSockets, streaming, a large upload.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sandbox } from '@hopx-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFramesApp } from '../frames/index.ts';
import { startEngine, type TestEngine } from './engine.ts';
import { call, freePort, resolveLocalhostNames } from './host-names.ts';
import { NAME, makeCertificates, nginxConf, startNginx } from './nginx.ts';

let dir: string;
let nginx: ChildProcess | undefined;
let e: TestEngine;
let origin: string;
let ca: string;
let restoreLookup: (() => void) | undefined;
const createSecureContext = tls.createSecureContext;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hopdeck-nginx-'));
  mkdirSync(join(dir, 'tmp'));
  const certs = makeCertificates(dir);
  ca = readFileSync(certs.ca, 'utf8');
  const [port, enginePort] = [await freePort(), await freePort()];
  origin = `https://${NAME}:${port}`;
  writeFileSync(join(dir, 'nginx.conf'), nginxConf(dir, port, enginePort, certs.cert, certs.key));
  const proc = startNginx(dir);
  nginx = proc;
  restoreLookup = resolveLocalhostNames();
  // The SDK (axios with its own agent, ws) gives no CA option: trust the test CA in every TLS
  // context this process makes without one (as NODE_EXTRA_CA_CERTS would for a fresh process).
  (tls as { createSecureContext: unknown }).createSecureContext = (o?: tls.SecureContextOptions) =>
    createSecureContext(o?.ca ? o : { ...o, ca });
  e = await startEngine({
    warmPool: 0,
    port: enginePort,
    publicUrl: origin,
    frames: createFramesApp({ dashboardOrigins: [origin] }),
  });
  await e.app.listen({ host: '127.0.0.1', port: enginePort });
  // nginx is ready once it answers through TLS.
  for (let i = 0; ; i++) {
    try {
      await call(`${origin}/health`);
      break;
    } catch (err) {
      if (i >= 100 || proc.exitCode !== null) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});
afterAll(async () => {
  if (nginx?.pid) nginx.kill('SIGQUIT');
  await e?.dispose();
  restoreLookup?.();
  (tls as { createSecureContext: unknown }).createSecureContext = createSecureContext;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('engine behind nginx with TLS and a wildcard certificate', () => {
  it('hands out https URLs of the proxy, and serves the frames origin through it', async () => {
    const health = JSON.parse((await call(`${origin}/health`)).body) as { frames_origin: string };
    expect(health.frames_origin).toBe(origin.replace(NAME, `frames.${NAME}`));
    const frame = await call(`${health.frames_origin}/frame.html`);
    expect(frame.status).toBe(200);
    expect(String(frame.headers['content-security-policy'])).toContain(`frame-ancestors ${origin}`);
  });

  it('runs the SDK flow through the proxy: create, plot, stream, 6 MiB upload (nginx default limit: 1 MiB), commands, kill', async () => {
    const sbx = await Sandbox.create({
      template: 'code-interpreter',
      apiKey: e.apiKey,
      baseURL: origin,
      timeoutSeconds: 600,
    });
    const id = sbx.sandboxId;
    expect((await sbx.getInfo()).publicHost).toBe(origin.replace(NAME, `7777-${id}.${NAME}`));

    const plot = await sbx.runCode(
      ['import matplotlib.pyplot as plt', 'plt.plot([1, 2, 3], [1, 4, 9])', 'plt.show()'].join('\n'),
    );
    expect(plot.success).toBe(true);
    expect(plot.richOutputs?.some((o) => o.type === 'image/png')).toBe(true);

    // runCodeStream is a WebSocket through nginx's upgrade.
    const seen: string[] = [];
    for await (const m of sbx.runCodeStream('for i in range(3): print("tick", i, flush=True)')) {
      if (m.type === 'stdout' && typeof m.data === 'string') seen.push(m.data);
    }
    expect(seen.join('')).toContain('tick 2');

    const big = 'y'.repeat(6 * 1024 * 1024);
    await sbx.files.write('/workspace/big.txt', big);
    const cmd = await sbx.commands.run('wc -c < /workspace/big.txt');
    expect(cmd.stdout.trim()).toBe(String(big.length));

    await sbx.kill();
    expect((await call(`${origin}/v1/sandboxes/${id}`, { headers: e.auth })).status).toBe(404);
  });
});
