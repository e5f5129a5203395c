import { test, expect } from './fixtures';

test.describe('sign-in', () => {
  test('the sign-in link printed by the engine signs in with one click', async ({ page, eng }) => {
    await page.goto(eng.signInLink);
    await expect(page).toHaveURL(/\/sandboxes/);
    await expect(page.getByRole('heading', { name: 'Sandboxes', level: 1 })).toBeVisible();
    // The key never lands in browser storage: only the HttpOnly cookie holds the session.
    const storage = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    expect(storage).not.toContain(eng.apiKey);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'hopdeck_session');
    expect(session?.httpOnly).toBe(true);
  });

  test('a signed-out visit goes to /login and comes back after signing in with a key', async ({
    page,
    eng,
  }) => {
    await page.goto('/settings');
    await expect(page).toHaveURL(/\/login\?redirect=/);
    await page.getByLabel('API key').fill('hopx_live_wrongwrongwro.notakey');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toContainText('Sign-in failed');

    await page.getByLabel('API key').fill(eng.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/settings$/);
    await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
    expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBeLessThanOrEqual(1);
  });

  test('sign out ends the session', async ({ signedInPage: page }) => {
    await page.goto('/templates');
    await expect(page.getByRole('heading', { name: 'Templates', level: 1 })).toBeVisible();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto('/sandboxes');
    await expect(page).toHaveURL(/\/login\?redirect=/);
  });
});
