import type { QueryClient } from '@tanstack/react-query';
import { Outlet, createRootRouteWithContext, redirect, useRouterState } from '@tanstack/react-router';
import { lazy } from 'react';
import { sessionQueryOptions } from '@/api/session';
import { AppShell } from '@/components/layout/app-shell';

const PUBLIC_PATHS = ['/login'];

// The palette (cmdk, a dialog, sandbox search) loads on first use, not with the first page.
const CommandPalette = lazy(() =>
  import('@/features/sandboxes/command-palette').then((m) => ({ default: m.CommandPalette })),
);

export const Route = createRootRouteWithContext<{ queryClient: QueryClient }>()({
  beforeLoad: async ({ context, location }) => {
    if (PUBLIC_PATHS.includes(location.pathname)) return;
    const session = await context.queryClient.ensureQueryData(sessionQueryOptions());
    if (!session) throw redirect({ to: '/login', search: { redirect: location.href } });
  },
  component: Root,
});

function Root() {
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  if (PUBLIC_PATHS.includes(pathname)) return <Outlet />;
  return (
    <AppShell palette={CommandPalette}>
      <Outlet />
    </AppShell>
  );
}
