/** The output panel of the run pane: streamed text, rich outputs, and the run's outcome. */
import { memo, useEffect, useRef, useState } from 'react';
import { Check, Copy, Eraser } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { AnsiText } from './ansi-text';
import { outputAsText } from './output-text';
import type { OutputItem } from './output-model';
import { RichOutputView } from './rich-output';
import type { RunState } from './run-session';
import { useCopied } from './use-copied';

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
    case 'notice':
      return (
        <p role="note" className="my-1 font-sans text-muted-foreground">
          {item.text}
        </p>
      );
    case 'rich':
      return (
        <div className="my-2 font-sans whitespace-normal" data-output-type={item.output.type}>
          <RichOutputView output={item.output} framesOrigin={framesOrigin} />
        </div>
      );
  }
});

/** Python's input() inline: the prompt, a field, Enter sends (the run waits until then). */
function InputPrompt({
  request,
  onAnswer,
}: {
  request: { prompt: string; password: boolean };
  onAnswer: (value: string) => void;
}) {
  const [value, setValue] = useState('');
  return (
    <form
      className="my-1 flex flex-wrap items-center gap-2 font-sans"
      onSubmit={(e) => {
        e.preventDefault();
        onAnswer(value);
      }}
    >
      <label htmlFor="run-input" className="font-mono">
        {request.prompt || 'Input:'}
      </label>
      <Input
        id="run-input"
        aria-label={`Answer to the program: ${request.prompt || 'input'}`}
        type={request.password ? 'password' : 'text'}
        autoComplete="off"
        autoFocus
        className="h-7 w-64 font-mono text-xs"
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <Button type="submit" size="sm" variant="outline">
        Send
      </Button>
      <span className="text-xs text-muted-foreground">The program waits for this answer.</span>
    </form>
  );
}

function formatSeconds(s: number): string {
  return s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(2)} s`;
}

function Outcome({ state }: { state: RunState }) {
  const when = state.past ? `Run from ${new Date(state.past.createdAt).toLocaleTimeString()} · ` : '';
  if (state.status === 'connecting') return <span>Connecting…</span>;
  if (state.status === 'running') return <span>Running…</span>;
  if (state.status === 'stopped') return <span>{when}Interrupted</span>;
  if (state.status === 'failed')
    return <span className="text-red-700 dark:text-red-400">{state.failure}</span>;
  if (state.status !== 'done') return null;
  const ok = state.exitCode === 0;
  return (
    <span className={ok ? 'text-green-700 dark:text-green-400' : 'text-red-700 dark:text-red-400'}>
      {when}Exit code {state.exitCode ?? '?'}
      {state.executionTime !== null && <> · {formatSeconds(state.executionTime)}</>}
    </span>
  );
}

export function OutputView({
  state,
  framesOrigin,
  onClear,
  onAnswer,
}: {
  state: RunState;
  framesOrigin: string | null;
  onClear?: () => void;
  /** Sends the answer to the program's input() prompt. */
  onAnswer?: (value: string) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const [copied, copy] = useCopied();
  const finished = state.status === 'done' || state.status === 'stopped' || state.status === 'failed';
  const empty = state.items.length === 0;

  // Follow the output while the person is at the bottom; stop following when they scroll up.
  useEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [state.items]);

  return (
    <section aria-label="Output" className="flex min-h-72 flex-1 flex-col lg:min-h-0">
      <div className="flex items-center gap-2 border-b px-3 py-1 text-xs text-muted-foreground">
        <span className="font-medium">Output</span>
        <span
          role="status"
          aria-live="polite"
          data-testid="run-status"
          data-run-id={state.runId}
          data-run-state={state.status}
          className="ml-auto truncate"
        >
          <Outcome state={state} />
        </span>
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={copied ? 'Output copied' : 'Copy output'}
          title={copied ? 'Copied' : 'Copy output'}
          disabled={empty}
          onClick={() => copy(outputAsText(state.items))}
        >
          {copied ? <Check /> : <Copy />}
        </Button>
        {onClear && (
          <Button
            variant="ghost"
            size="icon-sm"
            aria-label="Clear output"
            title="Clear output"
            disabled={empty || !finished}
            onClick={onClear}
          >
            <Eraser />
          </Button>
        )}
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
        {state.input && onAnswer && (
          <InputPrompt key={state.runId} request={state.input} onAnswer={onAnswer} />
        )}
        {state.status === 'done' && empty && (
          <p role="note" className="font-sans text-muted-foreground">
            No output: the run finished without printing anything.
          </p>
        )}
        {state.truncated && (
          <div
            role="note"
            className="mt-2 rounded bg-amber-500/10 px-2 py-1 font-sans text-amber-800 dark:text-amber-300"
          >
            {state.past
              ? 'Output truncated: the history keeps only the first part of what this run printed.'
              : 'Output truncated: this run produced more output than the pane shows.'}
          </div>
        )}
      </div>
    </section>
  );
}
