import { test, expect, signIn } from './fixtures';
import { E2E_PORT } from './engine.ts';
import { spawnEngine, type SpawnedEngine } from './spawn-engine.ts';

// A second engine that allows only a few requests per minute, so the dashboard meets a real 429.
let limited: SpawnedEngine;
test.beforeAll(async () => {
  limited = await spawnEngine({
    port: E2E_PORT + 20,
    agentPorts: '7495-7499',
    args: ['--rate-limit', '12', '--warm-pool', '0'],
  });
});
test.afterAll(async () => {
  await limited?.stop();
});

test('a 429 is shown, and the list is retried only after Retry-After', async ({ page }) => {
  test.setTimeout(180_000);
  const base = limited.state.baseURL;
  await signIn(page, limited.state);

  const listCalls: { at: number; status: number; retryAfter: string | null }[] = [];
  page.on('response', (res) => {
    if (new URL(res.url()).pathname === '/v1/sandboxes' && res.request().method() === 'GET') {
      listCalls.push({
        at: Date.now(),
        status: res.status(),
        retryAfter: res.headers()['retry-after'] ?? null,
      });
    }
  });
  await page.goto(`${base}/sandboxes`);
  await expect(page.getByRole('heading', { name: 'No sandboxes yet' })).toBeVisible();

  // Spend the rest of this session's budget from outside the page (bounded loop).
  for (let i = 0; i < 40; i++) {
    if ((await page.request.get(`${base}/v1/sandboxes`)).status() === 429) break;
  }

  // The next poll meets the 429: the page says so, with the engine's code.
  const notice = page.getByRole('status').filter({ hasText: 'rate limiting' });
  await expect(notice).toBeVisible({ timeout: 20_000 });
  await expect(notice).toContainText('RATE_LIMIT_EXCEEDED');
  const first429 = listCalls.find((c) => c.status === 429);
  expect(first429?.retryAfter).toBeTruthy();
  const waitMs = Number(first429?.retryAfter) * 1000;

  // …then retries once the window has passed, and the list is back.
  await expect(notice).toBeHidden({ timeout: waitMs + 20_000 });
  await expect(page.getByRole('heading', { name: 'No sandboxes yet' })).toBeVisible();
  const recovered = listCalls.find((c) => c.status === 200 && c.at > (first429?.at ?? 0));
  expect(recovered).toBeTruthy();
  // It waited for Retry-After (1 s of slack for timer and clock granularity) and did not hammer.
  expect((recovered?.at ?? 0) - (first429?.at ?? 0)).toBeGreaterThanOrEqual(waitMs - 1000);
  const during = listCalls.filter((c) => c.at > (first429?.at ?? 0) && c.at < (recovered?.at ?? 0));
  expect(during.length).toBeLessThanOrEqual(2);
});
