/**
 * The sandbox page: heading and actions, the section links, and the active section (a child route).
 * Loading, "not found" and load errors are the route's pending/notFound/error components.
 */
import { useQuery } from '@tanstack/react-query';
import { Outlet, getRouteApi, notFound } from '@tanstack/react-router';
import { isApiError } from '@/api/client';
import { sandboxQueryOptions } from '@/api/sandboxes';
import { SandboxHeader } from './sandbox-layout-header';
import { SandboxLayoutPending } from './sandbox-layout-states';
import { SandboxTabs } from './sandbox-layout-tabs';

const route = getRouteApi('/sandboxes/$id');

export function SandboxLayout() {
  const { id } = route.useParams();
  const sandbox = useQuery(sandboxQueryOptions(id));
  // Deleted (or expired) while the page was open: the route's notFoundComponent takes over.
  if (isApiError(sandbox.error) && sandbox.error.status === 404) throw notFound({ data: sandbox.error });
  if (sandbox.isError && !sandbox.data) throw sandbox.error;
  if (!sandbox.data) return <SandboxLayoutPending />;

  return (
    <div className="min-w-0 space-y-4">
      <SandboxHeader sandbox={sandbox.data} />
      <SandboxTabs id={id} />
      <Outlet />
    </div>
  );
}
