/**
 * What the workspace tab specs share: one code-interpreter sandbox per spec file, requests straight
 * to its agent through the gateway (as an SDK makes them), and opening a tab signed in.
 */
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { engine } from './engine.ts';
import { sandboxPerSpec, signIn } from './fixtures.ts';

export interface WorkspaceSpec {
  readonly api: APIRequestContext;
  readonly id: string;
}

interface SandboxJson {
  public_host: string;
  auth_token: string;
  status: string;
}

/** One sandbox for a serial workspace spec (created before its first test, deleted after its last). */
export const workspaceSpec = (): WorkspaceSpec => sandboxPerSpec();

async function sandbox(spec: WorkspaceSpec): Promise<SandboxJson> {
  return (await (await spec.api.get(`/v1/sandboxes/${spec.id}`)).json()) as SandboxJson;
}

/** A request straight to the sandbox's agent through the gateway, as an SDK would make it. */
export async function agent(
  spec: WorkspaceSpec,
  path: string,
  init: { method?: string; data?: unknown } = {},
) {
  const s = await sandbox(spec);
  const res = await spec.api.fetch(`${s.public_host}${path}`, {
    method: init.method ?? 'GET',
    headers: { Authorization: `Bearer ${s.auth_token}` },
    data: init.data,
  });
  expect(res.ok(), await res.text()).toBe(true);
  return res;
}

/** Signs in and opens one of the sandbox's tabs. */
export async function openTab(page: Page, spec: WorkspaceSpec, tab: string, search = ''): Promise<void> {
  await signIn(page);
  await page.goto(`${engine().baseURL}/sandboxes/${spec.id}/${tab}${search}`);
  await expect(page.getByRole('heading', { name: spec.id, level: 1 })).toBeVisible({ timeout: 60_000 });
}

export const terminalState = (page: Page) => page.getByTestId('terminal-state');
