import { createRouter } from '@tanstack/react-router';
import { isApiError } from '@/api/client';
import { onApiError, queryClient } from '@/api/query-client';
import { sessionKeys } from '@/api/session';
import { DefaultError, DefaultNotFound, DefaultPending } from '@/components/layout/route-states';
import { routeTree } from './routeTree.gen';

export const router = createRouter({
  routeTree,
  context: { queryClient },
  defaultPreload: 'intent',
  // Loaders go through the query cache; the router must not keep its own stale copy.
  defaultPreloadStaleTime: 0,
  defaultPendingComponent: DefaultPending,
  defaultErrorComponent: DefaultError,
  defaultNotFoundComponent: DefaultNotFound,
  scrollRestoration: true,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}

/** A 401 anywhere means the session ended: go to the sign-in page and come back afterwards. */
function onUnauthorized(error: unknown): void {
  if (!isApiError(error) || error.status !== 401) return;
  const { pathname, href } = router.state.location;
  if (pathname === '/login') return;
  queryClient.setQueryData(sessionKeys.all, null);
  void router.navigate({ to: '/login', search: { redirect: href } });
}

onApiError(onUnauthorized);
