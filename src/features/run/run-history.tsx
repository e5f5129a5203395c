/** Past runs of the sandbox, from the engine: re-run, open (code and output), copy as curl or SDK code. */
import { memo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Check, Code2, FileInput, Play, Terminal } from 'lucide-react';
import { executionsQueryOptions } from '@/api/executions';
import { LANGUAGE_ALIASES, type Execution, type Language } from '@contract/schemas';
import { Button } from '@/components/ui/button';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Skeleton } from '@/components/ui/skeleton';
import { curlSnippet, sdkSnippet } from './snippets';
import { useCopied } from './use-copied';

const STATUS_CLASS: Record<Execution['status'], string> = {
  running: 'text-blue-700 dark:text-blue-400',
  completed: 'text-green-700 dark:text-green-400',
  failed: 'text-red-700 dark:text-red-400',
  killed: 'text-muted-foreground',
  timeout: 'text-amber-700 dark:text-amber-400',
};

/** How a run ended, in the words the pane uses (a kill is the person's Interrupt). */
function outcome(e: Execution): string {
  if (e.status === 'killed') return 'interrupted';
  if (e.status === 'timeout') return 'timed out';
  return e.exit_code !== null && e.status !== 'running' ? `${e.status} · exit ${e.exit_code}` : e.status;
}

function firstLine(code: string): string {
  const line = code.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 80 ? `${line.slice(0, 80)}…` : line;
}

export interface HistoryProps {
  sandboxId: string;
  publicHost: string;
  busy: boolean;
  /** Puts the run's code in the editor and its stored output in the output panel. */
  onOpen: (e: Execution, language: Language) => void;
  onRerun: (code: string, language: Language) => void;
}

function CopyAs({
  label,
  text,
  what,
  icon,
}: {
  label: string;
  text: () => string;
  what: string;
  icon: React.ReactNode;
}) {
  const [copied, copy] = useCopied();
  return (
    <Button
      size="icon-sm"
      variant="ghost"
      aria-label={copied ? `Copied ${what}` : label}
      title={label}
      onClick={() => copy(text(), what)}
    >
      {copied ? <Check /> : icon}
    </Button>
  );
}

export const RunHistory = memo(function RunHistory({
  sandboxId,
  publicHost,
  busy,
  onOpen,
  onRerun,
}: HistoryProps) {
  const query = useQuery(executionsQueryOptions(sandboxId));
  return (
    <section aria-labelledby="run-history-title" className="flex min-h-0 flex-col">
      <h2 id="run-history-title" className="border-b px-3 py-2 text-sm font-medium">
        Run history
      </h2>
      <div className="min-h-0 flex-1 overflow-auto">
        {query.isPending && (
          <div className="space-y-2 p-3">
            <Skeleton className="h-10" />
            <Skeleton className="h-10" />
          </div>
        )}
        {query.isError && (
          <ErrorAlert className="m-3" error={query.error} title="Cannot load the run history" />
        )}
        {query.data?.data.length === 0 && <p className="p-3 text-sm text-muted-foreground">No runs yet.</p>}
        <ul className="divide-y" aria-label="Past runs">
          {query.data?.data.map((e) => {
            const language = LANGUAGE_ALIASES[e.language] ?? 'python';
            return (
              <li key={e.id} className="px-3 py-1.5 text-xs">
                <div className="flex items-center justify-between gap-2">
                  <span className={STATUS_CLASS[e.status]}>{outcome(e)}</span>
                  <time className="text-muted-foreground" dateTime={e.created_at} title={e.created_at}>
                    {new Date(e.created_at).toLocaleTimeString()}
                  </time>
                </div>
                <div className="flex items-center gap-1">
                  <div className="min-w-0 flex-1 truncate font-mono" title={e.code}>
                    <span className="text-muted-foreground">{e.language} · </span>
                    {firstLine(e.code)}
                  </div>
                  <Button
                    size="icon-sm"
                    variant="ghost"
                    aria-label={`Open run ${e.id}`}
                    title="Open: code in the editor, output below"
                    disabled={busy}
                    onClick={() => onOpen(e, language)}
                  >
                    <FileInput />
                  </Button>
                  <Button
                    size="icon-sm"
                    variant="ghost"
                    aria-label={`Re-run ${e.id}`}
                    title="Run again"
                    disabled={busy}
                    onClick={() => onRerun(e.code, language)}
                  >
                    <Play />
                  </Button>
                  <CopyAs
                    label={`Copy run ${e.id} as curl`}
                    what="as curl"
                    icon={<Terminal />}
                    text={() => curlSnippet(publicHost, e.code, language)}
                  />
                  <CopyAs
                    label={`Copy run ${e.id} as SDK code`}
                    what="as SDK code"
                    icon={<Code2 />}
                    text={() => sdkSnippet(window.location.origin, sandboxId, e.code, language)}
                  />
                </div>
              </li>
            );
          })}
        </ul>
      </div>
    </section>
  );
});
