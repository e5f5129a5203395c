import { gzipSync } from 'node:zlib';
import { test, expect } from './fixtures';

test.describe('performance budgets', () => {
  test('initial JS + CSS of the dashboard is at most 200 KB gzipped', async ({ signedInPage: page }) => {
    const sizes = new Map<string, number>();
    page.on('response', async (res) => {
      const url = new URL(res.url());
      if (!/\.(js|css)$/.test(url.pathname) || res.status() !== 200) return;
      sizes.set(url.pathname, gzipSync(await res.body()).length);
    });
    await page.goto('/sandboxes');
    await expect(page.getByRole('heading', { name: 'Sandboxes', level: 1 })).toBeVisible();
    await page.waitForLoadState('networkidle');
    const total = [...sizes.values()].reduce((a, b) => a + b, 0);
    console.log(
      `initial JS+CSS on /sandboxes: ${(total / 1024).toFixed(1)} KB gzipped in ${sizes.size} files`,
    );
    // Monaco is lazy: nothing of the editor is loaded on the list page.
    expect([...sizes.keys()].some((p) => /code-editor|monaco|editor\.worker/.test(p))).toBe(false);
    expect(total).toBeLessThanOrEqual(200 * 1024);
  });
});
