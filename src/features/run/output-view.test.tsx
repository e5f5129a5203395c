// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutputView } from './output-view';
import type { RunState } from './run-session';

vi.hoisted(() => {
  window.matchMedia ??= (query: string) =>
    ({
      matches: false,
      media: query,
      addEventListener() {},
      removeEventListener() {},
    }) as unknown as MediaQueryList;
});
afterEach(cleanup);

const base: RunState = {
  runId: 1,
  status: 'done',
  code: 'x',
  language: 'python',
  items: [],
  truncated: false,
  exitCode: 0,
  executionTime: 0.0123,
  executionId: 'exec_1',
  failure: null,
  firstStdoutMs: 5,
  past: null,
  input: null,
};

describe('OutputView', () => {
  it('shows stdout and stderr in order, stderr marked, with the exit code and time', () => {
    render(
      <OutputView
        framesOrigin={null}
        state={{
          ...base,
          exitCode: 2,
          items: [
            { id: 1, kind: 'stdout', text: 'out 1\n' },
            { id: 2, kind: 'stderr', text: 'err 1\n' },
            { id: 3, kind: 'stdout', text: 'out 2\n' },
          ],
        }}
      />,
    );
    const region = screen.getByRole('region', { name: 'Output' });
    expect(region.textContent).toMatch(/out 1\s*err 1\s*out 2/);
    expect(region.querySelector('[data-stream="stderr"]')?.textContent).toBe('err 1\n');
    expect(screen.getByRole('status').textContent).toBe('Exit code 2 · 12 ms');
    expect(screen.queryByRole('note')).toBeNull();
  });

  it('says when output was truncated, and why a run failed', () => {
    render(
      <OutputView
        framesOrigin={null}
        state={{
          ...base,
          status: 'failed',
          truncated: true,
          failure: 'The connection to the sandbox closed before the run finished.',
        }}
      />,
    );
    expect(screen.getByRole('note').textContent).toMatch(/Output truncated/);
    expect(screen.getByRole('status').textContent).toMatch(/closed before the run finished/);
  });

  it('shows an agent error frame as an alert', () => {
    render(
      <OutputView
        framesOrigin={null}
        state={{
          ...base,
          items: [
            { id: 1, kind: 'error', code: 'EXECUTION_TIMEOUT', message: 'Execution timed out after 60 s' },
          ],
        }}
      />,
    );
    expect(screen.getByRole('alert').textContent).toContain('EXECUTION_TIMEOUT');
    expect(screen.getByRole('alert').textContent).toContain('Execution timed out after 60 s');
  });

  it('says "no output" when a successful run printed nothing', () => {
    render(<OutputView framesOrigin={null} state={base} />);
    expect(screen.getByRole('note').textContent).toMatch(/No output/);
  });

  it('shows an interrupted run calmly, and offers copy and clear', () => {
    const onClear = vi.fn();
    render(
      <OutputView
        framesOrigin={null}
        onClear={onClear}
        state={{
          ...base,
          status: 'stopped',
          exitCode: null,
          items: [
            { id: 1, kind: 'stdout', text: 'working\n' },
            {
              id: 2,
              kind: 'notice',
              text: 'Interrupted.',
            },
          ],
        }}
      />,
    );
    expect(screen.getByRole('status').textContent).toBe('Interrupted');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByRole('note').textContent).toBe('Interrupted.');
    screen.getByRole('button', { name: 'Clear output' }).click();
    expect(onClear).toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Copy output' })).toBeEnabled();
  });

  it('names a past run by its time', () => {
    render(
      <OutputView
        framesOrigin={null}
        state={{ ...base, past: { id: 'exec_1', createdAt: '2026-11-26T10:00:00Z', status: 'completed' } }}
      />,
    );
    expect(screen.getByRole('status').textContent).toMatch(/^Run from .+ · Exit code 0/);
  });
});
