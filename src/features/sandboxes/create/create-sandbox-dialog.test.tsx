// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider, createMemoryHistory, createRootRoute, createRouter } from '@tanstack/react-router';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CreateSandboxDialog } from './create-sandbox-dialog';

const template = (name: string, display: string, backend?: string) => ({
  ...(backend ? { backend } : {}),
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

const backend = (name: string, extra: Record<string, unknown> = {}) => ({
  object: 'backend',
  name,
  kind: name === 'local' ? 'local' : 'upstream',
  url: name === 'local' ? null : `http://127.0.0.1:9/${name}`,
  default: false,
  status: 'ok',
  latency_ms: 3,
  checked_at: '2026-01-01T00:00:00Z',
  message: null,
  ...extra,
});

/** An engine with upstreams: `cloud` is the default, `edge` is down. */
const upstreams = {
  backends: [
    backend('local'),
    backend('cloud', { default: true }),
    backend('edge', { status: 'down', latency_ms: null, message: 'connect ECONNREFUSED 127.0.0.1:9' }),
  ],
  templates: [
    template('code-interpreter', 'Code Interpreter', 'local'),
    template('nodejs', 'Node.js', 'local'),
    template('code-interpreter', 'Code Interpreter', 'cloud'),
    template('gpu-python', 'GPU Python', 'cloud'),
  ],
};

function setup(initialTemplate?: string, engine: { backends?: unknown[]; templates?: unknown[] } = {}) {
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
          data: engine.templates ?? [
            template('code-interpreter', 'Code Interpreter'),
            template('nodejs', 'Node.js'),
          ],
          has_more: false,
          url: '/v1/templates',
          request_id: 'req_1',
        });
      if (url === '/health') return json(health);
      // An engine without upstreams has no /v1/backends.
      if (url === '/v1/backends' && engine.backends) return json({ object: 'list', data: engine.backends });
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

  it('asks nothing about backends on an engine without upstreams', async () => {
    const posted = setup();
    await waitFor(() =>
      expect(screen.getByRole('combobox', { name: 'Template' })).toHaveValue('code-interpreter'),
    );
    expect(screen.queryByRole('combobox', { name: 'Backend' })).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Create sandbox' }));
    await waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]).not.toHaveProperty('backend');
  });

  it('creates on the default backend from its own templates; a backend that is down cannot be picked', async () => {
    const posted = setup(undefined, upstreams);
    const choice = await screen.findByRole('combobox', { name: 'Backend' });
    await waitFor(() => expect(choice).toHaveValue('cloud'));
    const options = [...choice.querySelectorAll('option')];
    expect(options.map((o) => o.textContent)).toEqual([
      'local (this machine)',
      'cloud · default',
      'edge · down',
    ]);
    expect(options[2]).toBeDisabled();
    expect(screen.getByText(/edge is down: connect ECONNREFUSED/)).toBeInTheDocument();
    const templates = screen.getByRole('combobox', { name: 'Template' });
    await waitFor(() =>
      expect([...templates.querySelectorAll('option')].map((o) => o.value)).toEqual([
        'code-interpreter',
        'gpu-python',
      ]),
    );
    fireEvent.change(templates, { target: { value: 'gpu-python' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create sandbox' }));
    await waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]).toMatchObject({ backend: 'cloud', template_name: 'gpu-python' });
  });

  it('offers the chosen backend’s templates, falling back when the pick is not there', async () => {
    const posted = setup(undefined, upstreams);
    const choice = await screen.findByRole('combobox', { name: 'Backend' });
    await waitFor(() => expect(choice).toHaveValue('cloud'));
    fireEvent.change(screen.getByRole('combobox', { name: 'Template' }), {
      target: { value: 'gpu-python' },
    });
    fireEvent.change(choice, { target: { value: 'local' } });
    const templates = screen.getByRole('combobox', { name: 'Template' });
    expect([...templates.querySelectorAll('option')].map((o) => o.value)).toEqual([
      'code-interpreter',
      'nodejs',
    ]);
    expect(templates).toHaveValue('code-interpreter');
    fireEvent.click(screen.getByRole('button', { name: 'Create sandbox' }));
    await waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]).toMatchObject({ backend: 'local', template_name: 'code-interpreter' });
  });
});
