// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sandboxKeys, useSandboxAction } from './sandboxes';
import type { Sandbox, SandboxList } from '@contract/schemas';

const sandbox = { id: 'sandbox_a', status: 'running' } as Sandbox;
const list = {
  object: 'list',
  data: [sandbox],
  has_more: false,
  next_cursor: null,
  url: '',
  request_id: 'r',
};

function setup(respond: () => Promise<Response>) {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => {
      await gate;
      return respond();
    }),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  client.setQueryData(sandboxKeys.list({ limit: 50 }), list as SandboxList);
  client.setQueryData(sandboxKeys.detail('sandbox_a'), sandbox);
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>{children}</QueryClientProvider>
  );
  const { result } = renderHook(() => useSandboxAction(), { wrapper });
  return { client, result, release };
}

const statusIn = (client: QueryClient) => ({
  list: client.getQueryData<SandboxList>(sandboxKeys.list({ limit: 50 }))?.data[0]?.status,
  detail: client.getQueryData<Sandbox>(sandboxKeys.detail('sandbox_a'))?.status,
});

afterEach(() => vi.unstubAllGlobals());

describe('useSandboxAction', () => {
  it('shows the new status at once in the list and the detail, and rolls back when the engine refuses', async () => {
    const { client, result, release } = setup(
      async () =>
        new Response(
          JSON.stringify({
            error: 'conflict',
            message: 'Sandbox is stopped',
            code: 'CONFLICT',
            request_id: 'req_x',
            status: 'stopped',
          }),
          { status: 409 },
        ),
    );
    act(() => result.current.mutate({ id: 'sandbox_a', action: 'pause' }));
    await waitFor(() => expect(statusIn(client)).toEqual({ list: 'paused', detail: 'paused' }));
    // While in flight the list polls fast (the policy counts pending actions).
    expect(client.isMutating({ mutationKey: sandboxKeys.actions() })).toBe(1);
    release();
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(statusIn(client)).toEqual({ list: 'running', detail: 'running' });
    expect(result.current.error).toMatchObject({ code: 'CONFLICT', requestId: 'req_x' });
  });

  it('keeps the optimistic status when the engine accepts', async () => {
    const { client, result, release } = setup(
      async () =>
        new Response(JSON.stringify({ id: 'sandbox_a', status: 'paused', request_id: 'r' }), { status: 200 }),
    );
    act(() => result.current.mutate({ id: 'sandbox_a', action: 'pause' }));
    release();
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(statusIn(client).detail).toBe('paused');
  });
});
