import { request } from '@playwright/test';
import { test, expect } from './fixtures';

test('settings: engine health, and an API key created, shown once, used and revoked', async ({
  signedInPage: page,
  eng,
}) => {
  await page.goto('/settings');
  const health = page
    .getByRole('heading', { name: 'Health' })
    .locator('xpath=ancestor::*[@data-slot="card"]');
  await expect(health).toContainText('0.1.0');
  await expect(health).toContainText(/bwrap|none/);
  await expect(health).toContainText(/v2|v1|none/);

  const name = `ci-${Date.now()}`;
  await page.getByRole('button', { name: 'New API key' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByRole('dialog', { name: `Key “${name}” created` })).toBeVisible();
  const secret = (await page.getByLabel('New API key').textContent())?.trim() ?? '';
  expect(secret).toMatch(/^hopx_live_[A-Za-z0-9]{12}\.[A-Za-z0-9_-]+$/);
  await expect(page.getByRole('button', { name: 'Copy API key' })).toBeVisible();
  await page.getByRole('button', { name: 'Done' }).click();

  // The list shows the prefix, never the secret.
  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText(secret.slice(0, 16));
  await expect(page.getByText(secret)).toHaveCount(0);

  // The new key works against the engine…
  const client = await request.newContext({
    baseURL: eng.baseURL,
    extraHTTPHeaders: { 'X-API-Key': secret },
  });
  expect((await client.get('/v1/sandboxes')).status()).toBe(200);

  // …until it is revoked, after a confirmation.
  await row.getByRole('button', { name: `Revoke ${name}` }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke key' }).click();
  await expect(row).toContainText('revoked');
  expect((await client.get('/v1/sandboxes')).status()).toBe(401);
  await client.dispose();
});
