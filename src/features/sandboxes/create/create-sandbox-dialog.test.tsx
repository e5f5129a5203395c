// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider, createMemoryHistory, createRootRoute, createRouter } from '@tanstack/react-router';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CreateSandboxDialog } from './create-sandbox-dialog';

const template = (name: string, display: string) => ({
  object: 'template',
  id: `template_${name}`,
  name,
  display_name: display,
  description: `${display} template`,
  category: 'development',
  language: 'python',
  icon: 'python',
  default_resources: { vcpu: 2, memory_mb: 2048, disk_gb: 2 },
  min_resources: { vcpu: 1, memory_mb: 256, disk_gb: 1 },
  max_resources: { vcpu: 4, memory_mb: 8192, disk_gb: 20 },
  features: [],
  tags: [],
  popularity_score: 1,
  docs_url: 'https://docs.example/t',
  is_active: true,
  is_public: true,
  status: 'active',
  build_id: null,
  organization_id: null,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
});

const health = {
  status: 'ok',
  version: '0.1.0',
  mode: 'local',
  upstream: null,
  isolation: 'bwrap',
  cgroups: 'v1',
  network: 'host',
  sandboxes: { running: 0, total: 0 },
  frames_origin: 'http://127.0.0.1:7071',
  regions: ['local', 'lab'],
  uptime_seconds: 1,
};

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function setup(initialTemplate?: string) {
  const posted: unknown[] = [];
  // jsdom has no ResizeObserver (Radix's switch measures itself).
  vi.stubGlobal(
    'ResizeObserver',
    class {
      observe() {}
      unobserve() {}
      disconnect() {}
    },
  );
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      if (url.startsWith('/v1/templates'))
        return json({
          object: 'list',
          data: [template('code-interpreter', 'Code Interpreter'), template('nodejs', 'Node.js')],
          has_more: false,
          url: '/v1/templates',
          request_id: 'req_1',
        });
      if (url === '/health') return json(health);
      if (url === '/v1/sandboxes' && init?.method === 'POST') {
        posted.push(JSON.parse(String(init.body)));
        return json({ error: 'stop here', message: 'stop here', code: 'TEST', request_id: 'r' }, 500);
      }
      return json({}, 404);
    }),
  );
  const root = createRootRoute({
    component: () => (
      <CreateSandboxDialog open onOpenChange={() => undefined} initialTemplate={initialTemplate} />
    ),
  });
  const router = createRouter({ routeTree: root, history: createMemoryHistory({ initialEntries: ['/'] }) });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return posted;
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

// Rendering Radix dialogs in jsdom takes seconds on a busy machine.
describe('CreateSandboxDialog', { timeout: 20_000 }, () => {
  it('shows and sends the same template when the link names one the engine does not have', async () => {
    const posted = setup('no-such-template');
    const select = await screen.findByRole('combobox', { name: 'Template' });
    await waitFor(() => expect(select).toHaveValue('code-interpreter'));
    expect(screen.getByRole('note')).toHaveTextContent('no-such-template');
    fireEvent.click(screen.getByRole('button', { name: 'Create sandbox' }));
    await waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]).toMatchObject({ template_name: 'code-interpreter' });
  });

  it('preselects a template the link names when it exists', async () => {
    setup('nodejs');
    const select = await screen.findByRole('combobox', { name: 'Template' });
    await waitFor(() => expect(select).toHaveValue('nodejs'));
    expect(screen.queryByRole('note')).not.toBeInTheDocument();
  });

  it("offers the engine's regions and sends the chosen one with the default 1 hour timeout", async () => {
    const posted = setup();
    const region = await screen.findByRole('combobox', { name: 'Region' });
    await waitFor(() => expect(region).toHaveValue('local'));
    expect([...region.querySelectorAll('option')].map((o) => o.textContent)).toEqual(['local', 'lab']);
    fireEvent.change(region, { target: { value: 'lab' } });
    expect(screen.getByRole('combobox', { name: 'Delete after' })).toHaveDisplayValue('1 hour');
    await waitFor(() =>
      expect(screen.getByRole('combobox', { name: 'Template' })).toHaveValue('code-interpreter'),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Create sandbox' }));
    await waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]).toMatchObject({ region: 'lab', timeout_seconds: 3600 });
  });
});
