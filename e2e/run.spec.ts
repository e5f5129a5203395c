/**
 * The run pane against the real engine (1 of 2): Monaco, streamed runs through the gateway, rich
 * outputs, Interrupt, input(), output floods. Part 2 is run-state.spec.ts.
 * Run with: E2E_PORT=7281 E2E_AGENT_PORTS=7300-7399 npx playwright test e2e/run.spec.ts
 */
import { expect, test } from '@playwright/test';
import { engine } from './engine.ts';
import { signIn } from './fixtures.ts';
import {
  runPaneSpec,
  openRunPane,
  editor,
  output,
  runStatus,
  setCode,
  runAndWait,
  expectLoopbackOnly,
} from './run-pane.ts';

// The machine may be busy (a kernel cold start takes 1-2 s idle, much more under load).
test.describe.configure({ mode: 'serial', timeout: 180_000 });

const spec = runPaneSpec();

test('Monaco loads only when the run tab opens, from the engine itself', async ({ page }) => {
  const scripts: string[] = [];
  page.on('request', (r) => {
    spec.requested.add(r.url());
    if (r.resourceType() === 'script') scripts.push(r.url());
  });
  await signIn(page);
  await page.goto(`${engine().baseURL}/sandboxes/${spec.id}`);
  await expect(page.getByRole('link', { name: 'Run', exact: true })).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(scripts.filter((u) => u.includes('code-editor'))).toEqual([]);
  await page.getByRole('link', { name: 'Run', exact: true }).click();
  // The Monaco chunk (~800 KB gzip) takes a while on a busy machine the first time.
  await expect(editor(page)).toBeVisible({ timeout: 60_000 });
  const monaco = scripts.filter((u) => u.includes('code-editor'));
  expect(monaco).toHaveLength(1);
  expect(new URL(monaco[0] ?? '').origin).toBe(engine().baseURL);
});

test('type Python into Monaco, run it with the keyboard, see stdout; the draft survives a reload', async ({
  page,
}) => {
  await openRunPane(page, spec);
  await expect(page.getByRole('combobox', { name: 'Language' })).toHaveValue('python');
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('print("hello from e2e", 6 * 7)', { delay: 15 });
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(output(page)).toContainText('hello from e2e 42', { timeout: 60_000 });
  await expect(runStatus(page)).toContainText('Exit code 0');

  await page.reload();
  // Monaco loads again after the reload (slow on a busy machine, as in openRunPane).
  await expect(editor(page)).toContainText('print("hello from e2e", 6 * 7)', { timeout: 60_000 });
  // The history lists the run.
  await expect(page.getByRole('list', { name: 'Past runs' })).toContainText('print("hello from e2e", 6 * 7)');
});

test('a matplotlib plot appears as an image and a DataFrame as a table', async ({ page }) => {
  await openRunPane(page, spec);
  await runAndWait(
    page,
    'import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()\nimport pandas as pd\ndisplay(pd.DataFrame({"city": ["Oslo", "Lima"], "temp": [3, 19]}))',
  );
  const img = output(page).getByRole('img', { name: 'Image output' });
  await expect(img).toBeVisible();
  expect(await img.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
  expect(await img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBeGreaterThan(100);

  const frame = output(page).locator('iframe[title="HTML output"]');
  await expect(frame).toHaveAttribute('sandbox', 'allow-scripts');
  const table = page.frameLocator('iframe[title="HTML output"]').locator('table');
  await expect(table).toContainText('Oslo');
  await expect(table.getByRole('cell', { name: '19' })).toBeVisible();
  // The frame reported its height and was sized to the table.
  await expect.poll(async () => (await frame.boundingBox())?.height ?? 0).toBeGreaterThan(40);
});

test('a slow loop shows its first lines before it ends, and Interrupt ends it calmly', async ({ page }) => {
  await openRunPane(page, spec);
  await setCode(page, 'import time\nfor i in range(30): print(f"tick {i}", flush=True); time.sleep(1)');
  await page.getByRole('button', { name: 'Run code', exact: true }).click();
  await expect(output(page)).toContainText('tick 1', { timeout: 10_000 });
  await expect(runStatus(page)).toHaveText('Running…');
  await page.getByRole('button', { name: 'Interrupt run', exact: true }).click();
  await expect(runStatus(page)).toHaveText('Interrupted', { timeout: 10_000 });
  // Interrupting is not a failure: one calm line, no error box, no "exit 137".
  await expect(output(page).getByRole('note')).toHaveText('Interrupted.');
  await expect(output(page).getByRole('alert')).toHaveCount(0);
  const text = await output(page).textContent();
  expect(text).not.toContain('tick 20');
  expect(text).not.toContain('KeyboardInterrupt');
  // The kernel is usable again right away.
  await runAndWait(page, 'print("after stop")');
  await expect(output(page)).toContainText('after stop');
});

test('input() asks inline in the output and the program gets the answer', async ({ page }) => {
  await openRunPane(page, spec);
  await setCode(page, "name = input('Name? ')\nprint('hello', name)");
  await page.keyboard.press('ControlOrMeta+Enter');
  const answer = output(page).getByRole('textbox', { name: /Answer to the program: Name\?/ });
  await expect(answer).toBeFocused({ timeout: 30_000 });
  await answer.fill('Ada');
  await answer.press('Enter');
  await expect(output(page)).toContainText('Name? Ada');
  await expect(output(page)).toContainText('hello Ada', { timeout: 30_000 });
  await expect(runStatus(page)).toHaveText(/Exit code 0/);
});

test('an output flood is truncated and the page stays responsive', async ({ page }) => {
  await openRunPane(page, spec);
  await setCode(page, 'for i in range(3_000_000): print(i, "x" * 40)');
  // Watch the longest gap between animation frames while the flood arrives.
  await page.evaluate(() => {
    const w = window as unknown as { __maxGap: number; __watch: boolean };
    w.__maxGap = 0;
    w.__watch = true;
    let last = performance.now();
    const tick = (t: number) => {
      w.__maxGap = Math.max(w.__maxGap, t - last);
      last = t;
      if (w.__watch) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(output(page).getByRole('note')).toContainText('Output truncated', { timeout: 30_000 });
  // The page still reacts to input while the run goes on or finishes (how fast is a figure, below,
  // not an assertion: it depends on the machine's load).
  await page.getByRole('combobox', { name: 'Language' }).focus();
  await expect(page.getByRole('combobox', { name: 'Language' })).toBeFocused();
  if (await page.getByRole('button', { name: 'Interrupt run', exact: true }).isVisible())
    await page.getByRole('button', { name: 'Interrupt run', exact: true }).click();
  await expect(runStatus(page)).toContainText(/Exit code|Interrupted/, { timeout: 30_000 });
  const maxGap = await page.evaluate(() => {
    const w = window as unknown as { __maxGap: number; __watch: boolean };
    w.__watch = false;
    return w.__maxGap;
  });
  test.info().annotations.push({ type: 'flood max frame gap (ms)', description: maxGap.toFixed(0) });
  console.log(`[figure] longest gap between animation frames during the flood: ${maxGap.toFixed(0)} ms`);
  // The UI cap holds: a bounded number of lines is in the DOM.
  const lines = await output(page).evaluate((el) => (el.textContent ?? '').split('\n').length);
  expect(lines).toBeLessThanOrEqual(5_002);
});

expectLoopbackOnly(spec);
