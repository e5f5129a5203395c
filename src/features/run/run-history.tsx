/** Past runs of the sandbox, from the engine: re-run, open in the editor, copy as curl or SDK code. */
import { memo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { FileInput, Play, Terminal, Code2 } from 'lucide-react';
import { toast } from 'sonner';
import { executionsQueryOptions } from '@/api/executions';
import { LANGUAGE_ALIASES, type Execution, type Language } from '@contract/schemas';
import { Button } from '@/components/ui/button';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Skeleton } from '@/components/ui/skeleton';
import { curlSnippet, sdkSnippet } from './snippets';

const STATUS_CLASS: Record<Execution['status'], string> = {
  running: 'text-blue-700 dark:text-blue-400',
  completed: 'text-green-700 dark:text-green-400',
  failed: 'text-red-700 dark:text-red-400',
  killed: 'text-amber-700 dark:text-amber-400',
  timeout: 'text-amber-700 dark:text-amber-400',
};

async function copy(text: string, what: string) {
  try {
    await navigator.clipboard.writeText(text);
    toast.success(`Copied ${what}`);
  } catch {
    toast.error('Could not copy: the clipboard is not available here.');
  }
}

function firstLine(code: string): string {
  const line = code.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 80 ? `${line.slice(0, 80)}…` : line;
}

export interface HistoryProps {
  sandboxId: string;
  publicHost: string;
  busy: boolean;
  onOpen: (code: string, language: Language) => void;
  onRerun: (code: string, language: Language) => void;
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
              <li key={e.id} className="space-y-1 px-3 py-2 text-xs">
                <div className="flex items-center justify-between gap-2">
                  <span className={STATUS_CLASS[e.status]}>
                    {e.status}
                    {e.exit_code !== null && ` · exit ${e.exit_code}`}
                  </span>
                  <time className="text-muted-foreground" dateTime={e.created_at} title={e.created_at}>
                    {new Date(e.created_at).toLocaleTimeString()}
                  </time>
                </div>
                <div className="truncate font-mono" title={e.code}>
                  <span className="text-muted-foreground">{e.language} · </span>
                  {firstLine(e.code)}
                </div>
                <div className="flex flex-wrap gap-1">
                  <Button
                    size="sm"
                    variant="outline"
                    disabled={busy}
                    onClick={() => onRerun(e.code, language)}
                  >
                    <Play aria-hidden /> Re-run
                  </Button>
                  <Button size="sm" variant="ghost" onClick={() => onOpen(e.code, language)}>
                    <FileInput aria-hidden /> Open
                  </Button>
                  <Button
                    size="sm"
                    variant="ghost"
                    aria-label={`Copy run ${e.id} as curl`}
                    onClick={() => copy(curlSnippet(publicHost, e.code, language), 'as curl')}
                  >
                    <Terminal aria-hidden /> curl
                  </Button>
                  <Button
                    size="sm"
                    variant="ghost"
                    aria-label={`Copy run ${e.id} as SDK code`}
                    onClick={() =>
                      copy(sdkSnippet(window.location.origin, sandboxId, e.code, language), 'as SDK code')
                    }
                  >
                    <Code2 aria-hidden /> SDK
                  </Button>
                </div>
              </li>
            );
          })}
        </ul>
      </div>
    </section>
  );
});
