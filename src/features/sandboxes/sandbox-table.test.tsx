// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider, createMemoryHistory, createRootRoute, createRouter } from '@tanstack/react-router';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Sandbox } from '@contract/schemas';
import { SandboxTable } from './sandbox-table';

function sandbox(i: number): Sandbox {
  return {
    id: `sandbox_${String(i).padStart(16, '0')}`,
    object: 'sandbox',
    status: i === 0 ? 'creating' : 'running',
    template_id: 'template_nodejs',
    template_name: 'nodejs',
    organization_id: 1,
    node_id: 'node_local',
    region: 'local',
    public_host: 'http://127.0.0.1:7100',
    direct_url: '',
    preview_url: '',
    resources: { vcpu: 1, memory_mb: 1024, disk_mb: 2048 },
    internet_access: true,
    live_mode: true,
    timeout_seconds: 3600,
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
  };
}

async function renderTable(rows: Sandbox[], onToggle = vi.fn(), onToggleAll = vi.fn(), showBackend = false) {
  const root = createRootRoute({
    component: () => (
      <SandboxTable
        rows={rows}
        selected={new Set([rows[1]?.id ?? ''])}
        onToggle={onToggle}
        onToggleAll={onToggleAll}
        showBackend={showBackend}
      />
    ),
  });
  const router = createRouter({ routeTree: root, history: createMemoryHistory({ initialEntries: ['/'] }) });
  render(
    <QueryClientProvider client={new QueryClient()}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  await screen.findByRole('table');
  // Rows appear once the virtualizer has measured its scroll element.
  await screen.findAllByRole('checkbox', { name: /^Select sandbox_/ });
  return { onToggle, onToggleAll };
}

// jsdom has no layout: give elements the size of a desktop viewport so the virtualizer has a window.
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 800 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1200 });
});
afterEach(cleanup);

// Rendering 1,000 rows in jsdom takes seconds on a busy machine.
describe('SandboxTable', { timeout: 20_000 }, () => {
  it('shows each sandbox with its id link, status, template, resources and countdown', async () => {
    await renderTable([sandbox(0), sandbox(1)]);
    const row = screen.getByRole('row', { name: /sandbox_0000000000000000/ });
    expect(within(row).getByRole('link', { name: 'sandbox_0000000000000000' })).toHaveAttribute(
      'href',
      '/sandboxes/sandbox_0000000000000000',
    );
    expect(row).toHaveTextContent('creating');
    expect(row).toHaveTextContent('nodejs');
    expect(row).toHaveTextContent('1 vCPU · 1 GB · 2 GB');
    expect(within(row).getByTitle('1 vCPU · 1 GB RAM · 2 GB disk')).toBeInTheDocument();
    expect(row).toHaveTextContent(/59m \d\ds/);
  });

  it('reports row and header selection, and marks selected rows', async () => {
    const { onToggle, onToggleAll } = await renderTable([sandbox(0), sandbox(1)]);
    expect(screen.getByRole('checkbox', { name: 'Select sandbox_0000000000000001' })).toBeChecked();
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select sandbox_0000000000000000' }));
    expect(onToggle).toHaveBeenCalledWith('sandbox_0000000000000000', true);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select all sandboxes on this page' }));
    expect(onToggleAll).toHaveBeenCalledWith(true);
  });

  it('has a Backend column only when the engine has upstreams', async () => {
    await renderTable([sandbox(0), { ...sandbox(1), backend: 'cloud' }]);
    expect(screen.queryByRole('columnheader', { name: 'Backend' })).not.toBeInTheDocument();
    cleanup();
    await renderTable([sandbox(0), { ...sandbox(1), backend: 'cloud' }], vi.fn(), vi.fn(), true);
    const headers = screen.getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers.indexOf('Backend')).toBe(headers.indexOf('Template') + 1);
    const backendCell = (id: string) =>
      within(screen.getByRole('row', { name: new RegExp(id) })).getAllByRole('cell')[
        headers.indexOf('Backend')
      ];
    expect(backendCell('sandbox_0000000000000001')).toHaveTextContent('cloud');
    // Items of an engine without upstreams carry no backend: they are local.
    expect(backendCell('sandbox_0000000000000000')).toHaveTextContent('local');
    // The engine measures only its own sandboxes: a running upstream row says so instead of loading.
    const usage = within(screen.getByRole('row', { name: /sandbox_0000000000000001/ })).getByTitle(
      'Live usage is measured for this machine’s sandboxes only',
    );
    expect(usage).toHaveTextContent('—');
  });

  it('renders only a window of a long list', async () => {
    await renderTable(Array.from({ length: 1000 }, (_, i) => sandbox(i)));
    const rendered = screen.getAllByRole('checkbox').length - 1;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);
  });
});
