/** The output panel of the run pane: streamed text, rich outputs, and the run's outcome. */
import { memo, useEffect, useRef } from 'react';
import { AnsiText } from './ansi-text';
import type { OutputItem } from './output-model';
import { RichOutputView } from './rich-output';
import type { RunState } from './run-session';

const Item = memo(function Item({ item, framesOrigin }: { item: OutputItem; framesOrigin: string | null }) {
  switch (item.kind) {
    case 'stdout':
      return (
        <span data-stream="stdout">
          <AnsiText text={item.text} />
        </span>
      );
    case 'stderr':
      return (
        <span data-stream="stderr" className="bg-red-500/5 text-red-700 dark:text-red-300">
          <AnsiText text={item.text} />
        </span>
      );
    case 'error':
      return (
        <div
          role="alert"
          className="my-1 rounded border border-red-500/40 bg-red-500/5 p-2 text-red-700 dark:text-red-300"
        >
          <div className="text-xs font-semibold">{item.code}</div>
          <AnsiText text={item.message} />
        </div>
      );
    case 'rich':
      return (
        <div className="my-2 font-sans whitespace-normal" data-output-type={item.output.type}>
          <RichOutputView output={item.output} framesOrigin={framesOrigin} />
        </div>
      );
  }
});

function formatSeconds(s: number): string {
  return s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(2)} s`;
}

function Outcome({ state }: { state: RunState }) {
  if (state.status === 'connecting') return <span>Connecting…</span>;
  if (state.status === 'running') return <span>Running…</span>;
  if (state.status === 'stopped') return <span className="text-amber-700 dark:text-amber-400">Stopped</span>;
  if (state.status === 'failed')
    return <span className="text-red-700 dark:text-red-400">{state.failure}</span>;
  if (state.status !== 'done') return null;
  const ok = state.exitCode === 0;
  return (
    <span className={ok ? 'text-green-700 dark:text-green-400' : 'text-red-700 dark:text-red-400'}>
      Exit code {state.exitCode ?? '?'}
      {state.executionTime !== null && <> · {formatSeconds(state.executionTime)}</>}
    </span>
  );
}

export function OutputView({ state, framesOrigin }: { state: RunState; framesOrigin: string | null }) {
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  // Follow the output while the person is at the bottom; stop following when they scroll up.
  useEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [state.items]);

  return (
    <section aria-label="Output" className="flex min-h-72 flex-1 flex-col lg:min-h-0">
      <div className="flex items-center justify-between border-b px-3 py-1.5 text-xs text-muted-foreground">
        <span className="font-medium">Output</span>
        <span
          role="status"
          aria-live="polite"
          data-testid="run-status"
          data-run-id={state.runId}
          data-run-state={state.status}
        >
          <Outcome state={state} />
        </span>
      </div>
      <div
        ref={scroller}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
        className="max-h-[70vh] min-h-0 flex-1 overflow-auto p-3 font-mono text-xs leading-relaxed break-words whitespace-pre-wrap lg:max-h-none"
        data-testid="run-output"
      >
        {state.status === 'idle' && (
          <p className="font-sans text-muted-foreground">
            Run the code with the Run button or Ctrl/Cmd+Enter.
          </p>
        )}
        {state.items.map((item) => (
          <Item key={item.id} item={item} framesOrigin={framesOrigin} />
        ))}
        {state.truncated && (
          <div
            role="note"
            className="mt-2 rounded bg-amber-500/10 px-2 py-1 font-sans text-amber-800 dark:text-amber-300"
          >
            Output truncated: this run produced more output than the pane shows.
          </div>
        )}
      </div>
    </section>
  );
}
