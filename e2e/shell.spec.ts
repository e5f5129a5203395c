import { test, expect, createSandbox, deleteAllSandboxes } from './fixtures';

test.describe('app shell', () => {
  test.afterEach(async ({ api }) => {
    await deleteAllSandboxes(api);
  });

  test('sidebar links are real links and the theme choice sticks', async ({ signedInPage: page }) => {
    await page.goto('/sandboxes');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link', { name: 'Templates' })).toHaveAttribute('href', '/templates');
    await expect(nav.getByRole('link', { name: 'Sandboxes' })).toHaveAttribute('aria-current', 'page');

    await page.getByRole('radio', { name: 'Dark theme' }).click();
    await expect(page.locator('html')).toHaveClass(/dark/);
    await page.reload();
    await expect(page.locator('html')).toHaveClass(/dark/);
    await expect(page.getByRole('radio', { name: 'Dark theme' })).toHaveAttribute('aria-checked', 'true');
    await page.getByRole('radio', { name: 'Light theme' }).click();
    await expect(page.locator('html')).not.toHaveClass(/dark/);
  });

  test('Ctrl+K goes to pages, jumps to a sandbox by id and acts on the current one', async ({
    signedInPage: page,
    api,
  }) => {
    test.setTimeout(90_000);
    const s = await createSandbox(api);
    await page.goto('/settings');
    await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();

    await page.keyboard.press('Control+k');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    await palette.getByRole('combobox', { name: 'Command' }).fill('templates');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/templates$/);

    await page.keyboard.press('Control+k');
    await palette.getByRole('combobox', { name: 'Command' }).fill(s.id);
    // The engine's search finds the sandbox (a typed id is never offered blindly as "Open …").
    await palette.getByRole('option', { name: new RegExp(s.id) }).click();
    await expect(page).toHaveURL(new RegExp(`/sandboxes/${s.id}$`));
    await expect(page.locator('[data-sandbox-status]').first()).toHaveText('running');

    await page.keyboard.press('Control+k');
    await palette.getByRole('combobox', { name: 'Command' }).fill('pause');
    await palette.getByRole('option', { name: 'Pause sandbox' }).click();
    await expect(page.locator('[data-sandbox-status]').first()).toHaveText('paused');
    expect(((await (await api.get(`/v1/sandboxes/${s.id}`)).json()) as { status: string }).status).toBe(
      'paused',
    );
  });
});
