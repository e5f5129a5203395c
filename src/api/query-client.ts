import {
  MutationCache,
  QueryCache,
  QueryClient,
  type DefaultedQueryObserverOptions,
  type DefaultError,
  type Query,
  type QueryKey,
  type QueryObserverOptions,
} from '@tanstack/react-query';
import { DEFAULT_STALE_MS, backoffInterval, retryDelay, shouldRetry } from './intervals';

type ErrorListener = (error: unknown) => void;
const errorListeners = new Set<ErrorListener>();

/** Lets the app react to any failed query or mutation (e.g. a 401 ends the session). */
export function onApiError(listener: ErrorListener): () => void {
  errorListeners.add(listener);
  return () => errorListeners.delete(listener);
}

const notify = (error: unknown) => errorListeners.forEach((l) => l(error));

type AnyInterval = QueryObserverOptions['refetchInterval'];

/** A query's own polling interval, stretched after a 429 to what Retry-After says. */
function honouringRetryAfter(interval: AnyInterval): AnyInterval {
  if (!interval) return interval;
  return (query: Query) =>
    backoffInterval(
      typeof interval === 'function' ? interval(query) : interval,
      query.state.error ?? query.state.fetchFailureReason,
    );
}

/**
 * The app's QueryClient: every polling query, whatever its own interval, backs off after a 429 for
 * as long as Retry-After says (retries do the same through `retryDelay`). One place, so no hook has
 * to remember it.
 */
class AppQueryClient extends QueryClient {
  override defaultQueryOptions<
    TQueryFnData = unknown,
    TError = DefaultError,
    TData = TQueryFnData,
    TQueryData = TQueryFnData,
    TQueryKey extends QueryKey = QueryKey,
    TPageParam = never,
  >(
    options:
      | QueryObserverOptions<TQueryFnData, TError, TData, TQueryData, TQueryKey, TPageParam>
      | DefaultedQueryObserverOptions<TQueryFnData, TError, TData, TQueryData, TQueryKey>,
  ): DefaultedQueryObserverOptions<TQueryFnData, TError, TData, TQueryData, TQueryKey> {
    if (options._defaulted) return super.defaultQueryOptions(options);
    const defaulted = super.defaultQueryOptions(options);
    defaulted.refetchInterval = honouringRetryAfter(
      defaulted.refetchInterval as AnyInterval,
    ) as typeof defaulted.refetchInterval;
    return defaulted;
  }
}

/** The one QueryClient of the app (router loaders and components share it). */
export const queryClient: QueryClient = new AppQueryClient({
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
