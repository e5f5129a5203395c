/**
 * Shared Playwright fixtures: the real engine started by global-setup, an API client holding its
 * key (for setting up and cleaning up state through the public API), and a page signed in the way
 * the dashboard does it (POST /auth/login, which sets the HttpOnly session cookie).
 *
 *   import { test, expect } from './fixtures';
 *   test('…', async ({ signedInPage: page }) => { await page.goto('/sandboxes'); });
 */
import { test as base, expect, request, type APIRequestContext, type Page } from '@playwright/test';
import { engine, type EngineState } from './engine.ts';

/** Signs `page`'s browser context in with an API key; the page then carries the session cookie. */
export async function signIn(page: Page, eng: EngineState = engine()): Promise<void> {
  const res = await page.request.post(`${eng.baseURL}/auth/login`, {
    data: { api_key: eng.apiKey },
    headers: { Origin: eng.baseURL },
  });
  expect(res.status(), await res.text()).toBe(200);
}

/** An API client for `eng` authenticated with its key (X-API-Key), as the SDKs do. */
export function apiClient(eng: EngineState = engine()): Promise<APIRequestContext> {
  return request.newContext({ baseURL: eng.baseURL, extraHTTPHeaders: { 'X-API-Key': eng.apiKey } });
}

export interface SandboxJson {
  id: string;
  status: string;
  template_name: string;
}

/** Creates a sandbox through the API (201 once it runs) and returns it. */
export async function createSandbox(
  api: APIRequestContext,
  template = 'code-interpreter',
): Promise<SandboxJson> {
  // A create waits for the kernel, which can take long on a busy machine (the API's default is 30 s).
  const res = await api.post('/v1/sandboxes', {
    data: { template_name: template, timeout_seconds: 1800 },
    timeout: 240_000,
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as SandboxJson;
}

/**
 * One sandbox for a serial spec: created before its first test, deleted after its last. Read
 * `spec.api` and `spec.id` inside tests and hooks (they are set once `beforeAll` has run).
 */
export function sandboxPerSpec(): { api: APIRequestContext; id: string } {
  const spec = { api: undefined as unknown as APIRequestContext, id: '' };
  base.beforeAll(async () => {
    spec.api = await apiClient();
    spec.id = (await createSandbox(spec.api)).id;
  });
  base.afterAll(async () => {
    if (spec.id) await spec.api.delete(`/v1/sandboxes/${spec.id}`);
    await spec.api.dispose();
  });
  return spec;
}

/** Deletes every sandbox that is not deleted yet (the teardown and specs use it to leave nothing running). */
export async function deleteAllSandboxes(api: APIRequestContext): Promise<number> {
  let deleted = 0;
  for (let round = 0; round < 20; round++) {
    const res = await api.get('/v1/sandboxes', {
      params: { limit: 100, status: 'creating,running,stopped,paused,error' },
    });
    if (!res.ok()) break;
    const list = (await res.json()) as { data: SandboxJson[] };
    if (list.data.length === 0) break;
    for (const s of list.data) {
      const del = await api.delete(`/v1/sandboxes/${s.id}`);
      if (del.ok()) deleted++;
    }
  }
  return deleted;
}

export const test = base.extend<{ eng: EngineState; api: APIRequestContext; signedInPage: Page }>({
  // Playwright reads fixture dependencies from the destructuring pattern; these have none.
  // eslint-disable-next-line no-empty-pattern
  eng: async ({}, use) => {
    await use(engine());
  },
  // eslint-disable-next-line no-empty-pattern
  baseURL: async ({}, use) => {
    await use(engine().baseURL);
  },
  api: async ({ eng }, use) => {
    const api = await apiClient(eng);
    await use(api);
    await api.dispose();
  },
  signedInPage: async ({ page, eng }, use) => {
    await signIn(page, eng);
    await use(page);
  },
});

export { expect };
