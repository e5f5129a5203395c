/**
 * The dashboard through a TLS reverse proxy (issue 13, decision 0013): Debian's nginx with a
 * test-made wildcard certificate for *.hopdeck.localhost in front of an engine started with
 * --public-url. Chromium resolves *.localhost itself; the certificate is the test's (ignored
 * HTTPS errors). Sign in with the printed link, run a plot and an HTML output (frames origin).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { freePort } from '../server/test/host-names.ts';
import { NAME, makeCertificates, nginxConf, startNginx } from '../server/test/nginx.ts';

test.describe.configure({ mode: 'serial', timeout: 180_000 });
test.use({ ignoreHTTPSErrors: true });

let dir = '';
let nginx: ChildProcess | undefined;
let engine: ChildProcess | undefined;
let origin = '';
let link = '';
let apiKey = '';
let sandboxId = '';

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hopdeck-e2e-tls-'));
  mkdirSync(join(dir, 'tmp'));
  const certs = makeCertificates(dir);
  const [port, enginePort] = [await freePort(), await freePort()];
  origin = `https://${NAME}:${port}`;
  writeFileSync(join(dir, 'nginx.conf'), nginxConf(dir, port, enginePort, certs.cert, certs.key));
  nginx = startNginx(dir);
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'server/main.ts',
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      String(enginePort),
      '--data-dir',
      join(dir, 'data'),
      '--warm-pool',
      '0',
      '--public-url',
      origin,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  engine = child;
  const printed = await new Promise<{ key: string; link: string }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`engine did not start:\n${out}`)), 60_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const key = /API key[^:]*:\s*(\S+)/.exec(out)?.[1];
      const signIn = /Sign in:\s*(\S+)/.exec(out)?.[1];
      if (key && signIn) {
        clearTimeout(timer);
        resolve({ key, link: signIn });
      }
    });
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => reject(new Error(`engine exited with ${code}:\n${out}`)));
  });
  apiKey = printed.key;
  link = printed.link;
});

test.afterAll(async ({ browser }) => {
  // Sandboxes outlive the engine: delete it while the engine runs.
  if (sandboxId) {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${origin}/health`);
    await page.evaluate(
      async ([id, key]) => {
        await fetch(`/v1/sandboxes/${id}`, { method: 'DELETE', headers: { 'x-api-key': key } });
      },
      [sandboxId, apiKey] as const,
    );
    await context.close();
  }
  if (engine?.exitCode === null) {
    const exited = new Promise((r) => engine?.once('exit', r));
    engine.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  }
  if (nginx?.exitCode === null) nginx.kill('SIGQUIT');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('sign in, create, run a plot and an HTML output, all through the proxy', async ({ page }) => {
  expect(link.startsWith(`${origin}/auth/link?token=`)).toBe(true);
  await page.goto(link);
  await expect(page).toHaveURL(new RegExp(`^${origin.replace(/[.]/g, '\\.')}/`));
  // Create through the API from the signed-in page (same origin, session cookie, Origin check).
  const created = await page.evaluate(async (key) => {
    const r = await fetch('/v1/sandboxes', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ template_name: 'code-interpreter' }),
    });
    return (await r.json()) as { id: string; public_host: string };
  }, apiKey);
  expect(created.public_host).toBe(origin.replace(NAME, `7777-${created.id}.${NAME}`));
  sandboxId = created.id;

  await page.goto(`${origin}/sandboxes/${created.id}/run`);
  const editor = page.locator('.monaco-editor .view-lines');
  await expect(editor).toBeVisible({ timeout: 60_000 });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(
    'import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()\nfrom IPython.display import HTML, display\ndisplay(HTML("<b id=\\"x\\">through the proxy</b>"))',
  );
  await page.getByRole('button', { name: 'Run code', exact: true }).click();
  const output = page.getByRole('region', { name: 'Output' });
  await expect(output.getByRole('img', { name: 'Image output' })).toBeVisible({ timeout: 90_000 });
  const frame = output.locator('iframe[title="HTML output"]');
  await expect(frame).toHaveAttribute(
    'src',
    new RegExp(`^${origin.replace(NAME, `frames.${NAME}`).replace(/[.]/g, '\\.')}/`),
  );
  await expect(page.frameLocator('iframe[title="HTML output"]').locator('#x')).toHaveText(
    'through the proxy',
  );
});
