import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { DEFAULT_STALE_MS, retryDelay, shouldRetry } from './intervals';

type ErrorListener = (error: unknown) => void;
const errorListeners = new Set<ErrorListener>();

/** Lets the app react to any failed query or mutation (e.g. a 401 ends the session). */
export function onApiError(listener: ErrorListener): () => void {
  errorListeners.add(listener);
  return () => errorListeners.delete(listener);
}

const notify = (error: unknown) => errorListeners.forEach((l) => l(error));

/** The one QueryClient of the app (router loaders and components share it). */
export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: notify }),
  mutationCache: new MutationCache({ onError: notify }),
  defaultOptions: {
    queries: {
      staleTime: DEFAULT_STALE_MS,
      retry: shouldRetry,
      retryDelay,
      refetchIntervalInBackground: false,
    },
    mutations: { retry: false },
  },
});
