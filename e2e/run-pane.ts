/**
 * What the run pane specs share: one sandbox per spec file, the pane's locators, typing into Monaco,
 * waiting for a run to end, and the check that the browser loaded nothing from outside loopback.
 */
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { engine } from './engine.ts';
import { sandboxPerSpec, signIn } from './fixtures.ts';

export interface RunPaneSpec {
  readonly api: APIRequestContext;
  readonly id: string;
  /** Every URL the browser asked for during the spec (checked at the end: loopback only). */
  readonly requested: Set<string>;
}

/** One sandbox for a serial run pane spec (sandboxPerSpec), and the URLs its pages requested. */
export function runPaneSpec(): RunPaneSpec {
  return Object.assign(sandboxPerSpec(), { requested: new Set<string>() });
}

export async function openRunPane(page: Page, spec: RunPaneSpec): Promise<void> {
  page.on('request', (r) => spec.requested.add(r.url()));
  await signIn(page);
  await page.goto(`${engine().baseURL}/sandboxes/${spec.id}/run`);
  // The Monaco chunk (~800 KB gzip) takes a while on a busy machine the first time.
  await expect(editor(page)).toBeVisible({ timeout: 60_000 });
}

/** Monaco's input element (labelled by the ariaLabel option) and its rendered lines. */
export const editorInput = (page: Page) => page.getByRole('textbox', { name: 'Code editor' });
export const editor = (page: Page) => page.locator('.monaco-editor .view-lines');
export const output = (page: Page) => page.getByRole('region', { name: 'Output' });
export const runStatus = (page: Page) => page.getByTestId('run-status');

/**
 * Replaces the editor's content. Inserted text goes through Monaco's auto-indent like typing does,
 * so the Python snippets in the specs avoid indented blocks (one-line loops).
 */
export async function setCode(page: Page, code: string): Promise<void> {
  await editor(page).click();
  await expect(editorInput(page)).toBeFocused();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(code);
}

/** The id of the run the pane shows (0 before the first run). */
export async function currentRunId(page: Page): Promise<number> {
  return Number(await runStatus(page).getAttribute('data-run-id'));
}

/** Waits until the run after `previous` has ended (done, failed or stopped). */
export async function waitForRunEnd(page: Page, previous: number, timeout = 60_000): Promise<void> {
  await expect(runStatus(page)).toHaveAttribute('data-run-id', String(previous + 1), { timeout });
  await expect(runStatus(page)).toHaveAttribute('data-run-state', /^(done|failed|stopped)$/, { timeout });
}

export async function runAndWait(page: Page, code: string): Promise<void> {
  await setCode(page, code);
  const before = await currentRunId(page);
  await page.keyboard.press('ControlOrMeta+Enter');
  await waitForRunEnd(page, before);
}

/** The spec's last test: everything the browser loaded came from the engine on loopback. */
export function expectLoopbackOnly(spec: RunPaneSpec): void {
  test('nothing the browser loaded came from outside 127.0.0.1', () => {
    expect(spec.requested.size).toBeGreaterThan(10);
    const outside = [...spec.requested].filter((u) => {
      if (u.startsWith('data:') || u.startsWith('blob:')) return false;
      return new URL(u).hostname !== '127.0.0.1';
    });
    expect(outside).toEqual([]);
  });
}
