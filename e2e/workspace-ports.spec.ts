/**
 * The Ports tab against the real engine: `python3 -m http.server 8000` started in the sandbox is
 * listed (announced as new) and opened through its port URL, http://8000-<id>.localhost:<port>/,
 * with the one-time link signing the browser in; without it the port refuses. axe on the tab.
 * Run with: E2E_PORT=7581 E2E_AGENT_PORTS=7700-7749 npx playwright test e2e/workspace-ports.spec.ts
 */
import { seriousViolations } from './axe.ts';
import { expect, test } from '@playwright/test';
import { engine } from './engine.ts';
import { sandboxPerSpec, signIn } from './fixtures.ts';

test.describe.configure({ mode: 'serial', timeout: 120_000 });

const spec = sandboxPerSpec();

test('a server started in the sandbox on port 8000 opens through its port URL', async ({ page, context }) => {
  await signIn(page);
  await page.goto(`${engine().baseURL}/sandboxes/${spec.id}/ports`);
  await expect(page.getByText('Nothing is listening yet.')).toBeVisible();

  const s = (await (await spec.api.get(`/v1/sandboxes/${spec.id}`)).json()) as {
    public_host: string;
    auth_token: string;
  };
  const started = await spec.api.post(`${s.public_host}/commands/background`, {
    headers: { Authorization: `Bearer ${s.auth_token}` },
    data: {
      command: 'bash',
      args: [
        '-c',
        'mkdir -p /workspace/www && cd /workspace/www && echo "<title>Port page</title><h1>served from the sandbox</h1>" > index.html && exec python3 -m http.server 8000',
      ],
      timeout: 600,
    },
  });
  expect(started.ok(), await started.text()).toBe(true);

  const row = page.getByTestId('port-row').filter({ hasText: '8000' });
  await expect(row).toContainText(`http://8000-${spec.id}.localhost:`);
  await expect(row).toContainText('http.server');
  await expect(row.getByText('new')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'New port listening: 8000' })).toBeAttached();

  expect(await seriousViolations(page)).toEqual([]);

  const [tab] = await Promise.all([
    context.waitForEvent('page'),
    row.getByRole('link', { name: 'Open port 8000 in a new tab' }).click(),
  ]);
  await expect(tab.getByRole('heading', { name: 'served from the sandbox' })).toBeVisible();
  const url = new URL(tab.url());
  expect(url.hostname).toBe(`8000-${spec.id}.localhost`);
  expect(url.search).toBe(''); // the one-time token was exchanged and stripped
  // a reload keeps working (host-only cookie); the dashboard's session cookie never went there
  await tab.reload();
  await expect(tab.getByRole('heading', { name: 'served from the sandbox' })).toBeVisible();
  const portCookies = await context.cookies(`http://${url.host}/`);
  expect(portCookies.map((c) => c.name)).toEqual(['hopdeck_port']);

  // another browser, without the link, is refused
  const stranger = await (await context.browser()?.newContext())?.newPage();
  const res = await stranger?.goto(`http://${url.host}/`);
  expect(res?.status()).toBe(401);
  await stranger?.context().close();
});
