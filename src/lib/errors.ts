import { isApiError } from '@/api/client';

/** One line for toasts: "message (CODE, req_…)". */
export function describeError(error: unknown): string {
  if (isApiError(error)) {
    return `${error.message} (${[error.code, error.requestId].filter(Boolean).join(', ')})`;
  }
  return error instanceof Error ? error.message : String(error);
}
