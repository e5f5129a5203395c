/**
 * Benchmark page for e2e/perf.spec.ts: the real SandboxTable (virtualized) with N generated rows, as
 * fixed props (no API). Served by Vite's dev server from e2e/bench/table.html; not part of the app.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider, createMemoryHistory, createRootRoute, createRouter } from '@tanstack/react-router';
import { StrictMode, useCallback, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { SANDBOX_STATUSES, type Sandbox } from '@contract/schemas';
import { SandboxTable } from '@/features/sandboxes/sandbox-table';
import '@/index.css';

function makeRows(n: number, now = Date.now()): Sandbox[] {
  return Array.from({ length: n }, (_, i) => {
    const created = new Date(now - i * 37_000).toISOString().replace(/\.\d+Z$/, 'Z');
    return {
      id: `sandbox_${String(i).padStart(16, '0')}`,
      object: 'sandbox',
      status: SANDBOX_STATUSES[i % 5] ?? 'running',
      template_id: 'template_code-interpreter',
      template_name: i % 3 ? 'code-interpreter' : 'nodejs',
      organization_id: 1,
      node_id: 'node_local',
      region: i % 2 ? 'local' : 'eu-west',
      public_host: `http://127.0.0.1:${7100 + (i % 800)}`,
      direct_url: '',
      preview_url: '',
      resources: { vcpu: 2, memory_mb: 2048, disk_mb: 2048 },
      internet_access: true,
      live_mode: true,
      timeout_seconds: 3600,
      expires_at: new Date(now + 3600_000 - i * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
      created_at: created,
      updated_at: created,
    };
  });
}

export function Bench() {
  const count = Number(new URLSearchParams(location.search).get('rows') ?? 1000);
  const [rows] = useState(() => makeRows(count));
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const onToggle = useCallback((id: string, on: boolean) => {
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);
  const onToggleAll = useCallback(
    (on: boolean) => setSelected(on ? new Set(rows.map((r) => r.id)) : new Set()),
    [rows],
  );
  return (
    <main className="p-4">
      <h1 className="mb-2 text-lg font-semibold">Table benchmark: {rows.length} rows</h1>
      <SandboxTable rows={rows} selected={selected} onToggle={onToggle} onToggleAll={onToggleAll} />
    </main>
  );
}

const rootRoute = createRootRoute({ component: Bench });
const router = createRouter({
  routeTree: rootRoute,
  history: createMemoryHistory({ initialEntries: ['/'] }),
});

const el = document.getElementById('root');
if (el) {
  createRoot(el).render(
    <StrictMode>
      <QueryClientProvider client={new QueryClient()}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </StrictMode>,
  );
}
