import { test, expect, apiClient, createSandbox, deleteAllSandboxes } from './fixtures';
import { seriousViolations } from './axe.ts';

test.describe('accessibility (axe: no serious or critical violations)', () => {
  let id = '';
  test.beforeEach(async ({ api }) => {
    if (!id) id = (await createSandbox(api)).id;
  });
  test.afterAll(async () => {
    const api = await apiClient();
    await deleteAllSandboxes(api);
    await api.dispose();
  });

  for (const theme of ['light', 'dark'] as const) {
    test(`list, detail, templates and settings in ${theme} theme`, async ({ signedInPage: page }) => {
      test.setTimeout(180_000); // four pages, axe on each; a busy machine needs more than 90 s
      await page.addInitScript((t) => localStorage.setItem('hopdeck-theme', t), theme);
      const pages: [string, string][] = [
        ['/sandboxes', 'Sandboxes'],
        [`/sandboxes/${id}`, id],
        ['/templates', 'Templates'],
        ['/templates/code-interpreter', 'Code Interpreter'],
        ['/settings', 'Settings'],
      ];
      for (const [path, heading] of pages) {
        await page.goto(path);
        await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
        await page.waitForLoadState('networkidle');
        expect(await seriousViolations(page), `${path} (${theme})`).toEqual([]);
      }
    });
  }

  test('sign-in page', async ({ page }) => {
    await page.goto('/login');
    await expect(page.getByRole('heading', { name: 'Sign in to Hopdeck' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
