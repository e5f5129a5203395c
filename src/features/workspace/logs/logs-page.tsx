/**
 * The Logs tab: the sandbox's own log (agent messages and what processes wrote to
 * /run/hopdeck/log), followed live, with pause, search and download. Lines are bounded (5000 kept,
 * 2000 characters shown each), so a chatty sandbox cannot freeze the page.
 */
import { Download, Pause, Play } from 'lucide-react';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { followLog, logUrl } from '@/api/logs';
import { Button } from '@/components/ui/button';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Input } from '@/components/ui/input';
import { useWorkspaceSandbox } from '../shared/use-workspace-sandbox';
import { allLines, appendLog, emptyLog, type LogBuffer } from './log-lines';

function Highlighted({ line, term }: { line: string; term: string }) {
  if (!term) return <>{line}</>;
  const lower = line.toLowerCase();
  const parts: ReactNode[] = [];
  let at = 0;
  for (let i = lower.indexOf(term); i >= 0; i = lower.indexOf(term, at)) {
    parts.push(line.slice(at, i), <mark key={i}>{line.slice(i, i + term.length)}</mark>);
    at = i + term.length;
  }
  parts.push(line.slice(at));
  return <>{parts}</>;
}

export function LogsPage({ sandboxId }: { sandboxId: string }) {
  const { sandbox } = useWorkspaceSandbox(sandboxId);
  const [buf, setBuf] = useState<LogBuffer>(emptyLog);
  const [following, setFollowing] = useState(true);
  const [ended, setEnded] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [query, setQuery] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const status = sandbox?.status;

  useEffect(() => {
    if (!following || status === 'deleted') return;
    return followLog(sandboxId, {
      onText: (t) => setBuf((b) => appendLog(b, t)),
      onReset: () => {
        setBuf(emptyLog());
        setEnded(null);
        setError(null);
      },
      onEnd: (why) => setEnded(why),
      onError: (e) => setError(e),
    });
    // a restarted sandbox appends to the same log; following again picks it up
  }, [sandboxId, following, status]);

  const term = query.trim().toLowerCase();
  const lines = useMemo(() => {
    const all = allLines(buf);
    return term ? all.filter((l) => l.toLowerCase().includes(term)) : all;
  }, [buf, term]);

  useEffect(() => {
    const el = box.current;
    if (el && following && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [lines, following]);

  return (
    <section aria-labelledby="logs-heading" className="flex flex-col gap-3">
      <h2 id="logs-heading" className="sr-only">
        Logs
      </h2>
      <div className="flex flex-wrap items-center gap-2">
        <Button variant="outline" size="sm" onClick={() => setFollowing((f) => !f)}>
          {following ? <Pause aria-hidden /> : <Play aria-hidden />}
          {following ? 'Pause log' : 'Follow log'}
        </Button>
        <Input
          type="search"
          aria-label="Search the log"
          placeholder="Search the log"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          className="h-8 w-full max-w-xs"
        />
        <span className="text-xs text-muted-foreground" aria-live="polite">
          {term
            ? `${lines.length} matching line${lines.length === 1 ? '' : 's'}`
            : following
              ? 'Following'
              : 'Paused'}
        </span>
        <Button variant="outline" size="sm" asChild className="ml-auto">
          <a href={logUrl(sandboxId, { download: true })} download={`${sandboxId}.log`}>
            <Download aria-hidden /> Download
          </a>
        </Button>
      </div>
      {error !== null && <ErrorAlert error={error} title="The log cannot be followed" />}
      {ended && <p className="text-sm text-muted-foreground">{ended}</p>}
      {buf.dropped > 0 && (
        <p className="text-xs text-muted-foreground">
          Showing the last {buf.lines.length} lines; download the log for all of it.
        </p>
      )}
      <div
        ref={box}
        role="log"
        aria-label="Sandbox log"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
        className="h-[60dvh] overflow-auto rounded-lg border bg-muted/30 p-3 font-mono text-xs leading-5 outline-none focus-visible:ring-[3px] focus-visible:ring-ring/60"
      >
        {lines.length === 0 ? (
          <p className="text-muted-foreground">{term ? 'No line matches.' : 'The log is empty so far.'}</p>
        ) : (
          lines.map((l, i) => (
            <div key={i} className="break-all whitespace-pre-wrap">
              <Highlighted line={l} term={term} />
            </div>
          ))
        )}
      </div>
    </section>
  );
}
