/**
 * The run tab of a sandbox: Monaco (loaded lazily), streamed output with rich results, the kernel
 * restart, and the sandbox's run history.
 */
import { lazy, memo, Suspense, useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useIsMutating, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CircleStop, Play, RotateCcw } from 'lucide-react';
import { toast } from 'sonner';
import { agentTarget, restartKernel } from '@/api/agent';
import { executionQueryOptions } from '@/api/executions';
import { healthQueryOptions } from '@/api/health';
import { useStartBackground } from '@/api/processes';
import { GONE_TEXT, sandboxGoneReason, sandboxKeys, sandboxQueryOptions } from '@/api/sandboxes';
import { LANGUAGES, type Execution, type Language, type Sandbox } from '@contract/schemas';
import { templateQueryOptions } from '@/api/templates';
import { Button } from '@/components/ui/button';
import { ErrorAlert } from '@/components/ui/error-alert';
import { NativeSelect } from '@/components/ui/input';
import { Skeleton } from '@/components/ui/skeleton';
import { describeError } from '@/lib/errors';
import { STARTER_CODE, languageForTemplate, loadDraft, saveDraft, type Draft } from './drafts';
import { ExpiryBanner, ExpiryCountdown } from './expiry-banner';
import { OutputView } from './output-view';
import { RunHistory } from './run-history';
import { SandboxStateBanner } from './sandbox-state-banner';
import type { RunSession } from './run-session';
import { useRunBusy, useRunSession, useRunState } from './use-run-session';

const CodeEditor = lazy(() => import('./code-editor'));

const LANGUAGE_LABEL: Record<Language, string> = { python: 'Python', javascript: 'JavaScript', bash: 'Bash' };

export function RunPane({ sandboxId }: { sandboxId: string }) {
  const sandbox = useQuery(sandboxQueryOptions(sandboxId));
  if (sandbox.isPending) return <Skeleton className="h-96" />;
  // A failed background refetch keeps the last good data, unless the sandbox is gone.
  const gone = sandboxGoneReason(sandbox.error);
  if (gone) {
    return (
      <div role="alert" className="rounded-lg border p-6 text-center">
        <h2 className="text-lg font-semibold">{GONE_TEXT[gone].title}</h2>
        <p className="mt-1 text-sm text-muted-foreground">{GONE_TEXT[gone].body}</p>
      </div>
    );
  }
  if (!sandbox.data) return <ErrorAlert error={sandbox.error} title="Cannot load the sandbox" />;
  // Keyed: another sandbox gets its own draft, editor model and session.
  return <RunWorkspace key={sandbox.data.id} sandbox={sandbox.data} />;
}

function RunWorkspace({ sandbox }: { sandbox: Sandbox }) {
  const id = sandbox.id;
  const health = useQuery(healthQueryOptions());
  const template = useQuery(templateQueryOptions(sandbox.template_name));
  const templateLanguage = languageForTemplate(template.data?.language, sandbox.template_name);
  const [edited, setEdited] = useState<Draft | null>(() => loadDraft(id));
  const draft: Draft = edited ?? { code: STARTER_CODE[templateLanguage], language: templateLanguage };
  const session = useRunSession(id);
  const busy = useRunBusy(session);
  // A lifecycle action in flight shows its optimistic status; wait for the engine's own answer (and a
  // possibly new public_host) before connecting.
  const pendingActions = useIsMutating({ mutationKey: sandboxKeys.actions() });
  const running = sandbox.status === 'running' && pendingActions === 0;
  const runningRef = useRef(running);
  // Callbacks below read the latest sandbox and draft through refs, so they stay stable and the
  // editor and history do not re-render on every keystroke or poll.
  const sandboxRef = useRef(sandbox);
  const draftRef = useRef(draft);
  // "Run in background" (issue 11): the job is listed, polled and killable in the Processes tab.
  const background = useStartBackground(agentTarget(sandbox));
  const runInBackground = () =>
    background.mutate(
      { kind: 'code', code: draftRef.current.code, language: draftRef.current.language },
      {
        onSuccess: (r) =>
          toast.success(`Started in the background (${r.process_id}): see the Processes tab.`),
        onError: (e) => toast.error(`Could not start it in the background: ${describeError(e)}`),
      },
    );
  useEffect(() => {
    sandboxRef.current = sandbox;
    draftRef.current = draft;
    runningRef.current = running;
  });
  // Updates the ref at once too: the editor reports our own edits synchronously, before effects run.
  const updateDraft = useCallback((next: Draft) => {
    draftRef.current = next;
    setEdited(next);
  }, []);

  // Save the draft shortly after typing stops, and at once when the page goes away (a reload right
  // after a quick run must not lose it).
  useEffect(() => {
    if (!edited) return;
    const save = () => saveDraft(id, edited);
    const t = setTimeout(save, 300);
    window.addEventListener('pagehide', save);
    return () => {
      clearTimeout(t);
      window.removeEventListener('pagehide', save);
    };
  }, [id, edited]);

  const run = useCallback(
    (code: string, language: Language) => {
      if (!runningRef.current || session.busy) return;
      void session.run({ target: agentTarget(sandboxRef.current), code, language });
    },
    [session],
  );
  const runDraft = useCallback(() => run(draftRef.current.code, draftRef.current.language), [run]);
  const runFromEditor = useCallback((code: string) => run(code, draftRef.current.language), [run]);
  const warm = useCallback(() => {
    if (runningRef.current) session.preconnect(agentTarget(sandboxRef.current));
  }, [session]);
  const onCodeChange = useCallback(
    (code: string) => {
      if (code === draftRef.current.code) return; // the echo of a change made here
      updateDraft({ ...draftRef.current, code });
      warm(); // typing usually ends with a run
    },
    [warm, updateDraft],
  );
  useEffect(() => {
    if (running) warm();
  }, [running, warm]);
  const client = useQueryClient();
  // Opening a past run puts its code in the editor and its stored output (the engine keeps it,
  // capped) in the output panel.
  const openRun = useCallback(
    (e: Execution, language: Language) => {
      updateDraft({ code: e.code, language });
      client.fetchQuery(executionQueryOptions(id, e.id)).then(
        (full) => session.showPast(full),
        (err: unknown) => toast.error(`Could not load that run's output: ${describeError(err)}`),
      );
    },
    [updateDraft, client, id, session],
  );
  const rerun = useCallback(
    (code: string, language: Language) => {
      updateDraft({ code, language });
      run(code, language);
    },
    [run, updateDraft],
  );

  const restart = useMutation({
    mutationFn: () => restartKernel(agentTarget(sandbox)),
    onSuccess: () => toast.success('Python kernel restarted: its variables and imports are gone.'),
    onError: (e) => toast.error(`Kernel restart failed: ${e instanceof Error ? e.message : String(e)}`),
  });

  const onKeyDown = (e: KeyboardEvent) => {
    // Ctrl/Cmd+Enter anywhere in the pane (Monaco handles it itself while it has focus).
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.defaultPrevented) {
      e.preventDefault();
      runDraft();
    }
  };

  return (
    <div
      className="flex flex-col gap-3 lg:h-[calc(100dvh-16.75rem)] lg:min-h-[32rem] lg:flex-row"
      onKeyDown={onKeyDown}
    >
      <div className="flex min-h-0 min-w-0 flex-1 flex-col overflow-hidden rounded-lg border bg-card">
        <div role="toolbar" aria-label="Run" className="flex flex-wrap items-center gap-2 border-b p-2">
          <label className="flex items-center gap-2 text-xs text-muted-foreground">
            Language
            <NativeSelect
              aria-label="Language"
              className="h-8 w-36"
              value={draft.language}
              onChange={(e) => {
                const language = e.target.value as Language;
                // Untouched starter code follows the language; anything written stays.
                const code =
                  draft.code === STARTER_CODE[draft.language] ? STARTER_CODE[language] : draft.code;
                updateDraft({ code, language });
              }}
            >
              {LANGUAGES.map((l) => (
                <option key={l} value={l}>
                  {LANGUAGE_LABEL[l]}
                </option>
              ))}
            </NativeSelect>
          </label>
          {busy ? (
            // Interrupts this run only; the sandbox (and the Python session) keep running.
            <Button
              size="sm"
              variant="outline"
              aria-label="Interrupt run"
              title="Interrupt this run (the sandbox keeps running)"
              onClick={() => session.stop()}
            >
              <CircleStop aria-hidden /> Interrupt
            </Button>
          ) : (
            <Button
              size="sm"
              aria-label="Run code"
              onClick={runDraft}
              disabled={!running}
              title="Run (Ctrl/Cmd+Enter)"
            >
              <Play aria-hidden /> Run
            </Button>
          )}
          <Button
            size="sm"
            variant="outline"
            onClick={runInBackground}
            disabled={!running || background.isPending}
          >
            Run in background
          </Button>
          {draft.language === 'python' && (
            <Button
              size="sm"
              variant="outline"
              onClick={() => restart.mutate()}
              disabled={!running || busy || restart.isPending}
            >
              <RotateCcw aria-hidden /> {restart.isPending ? 'Restarting…' : 'Restart kernel'}
            </Button>
          )}
          <span className="ml-auto flex items-center gap-3">
            <span className="hidden text-xs text-muted-foreground xl:inline">Ctrl/Cmd+Enter runs</span>
            <ExpiryCountdown sandbox={sandbox} />
          </span>
        </div>
        <SandboxStateBanner sandbox={sandbox} pending={pendingActions > 0} />
        <ExpiryBanner sandbox={sandbox} />
        <div className="h-64 border-b lg:h-[42%] lg:min-h-40">
          <Suspense fallback={<div className="p-3 text-sm text-muted-foreground">Loading editor…</div>}>
            <CodeEditor
              value={draft.code}
              language={draft.language}
              onChange={onCodeChange}
              onRun={runFromEditor}
            />
          </Suspense>
        </div>
        <RunOutput session={session} framesOrigin={health.data?.frames_origin ?? null} />
      </div>
      <aside className="flex max-h-[40vh] min-h-0 flex-col overflow-hidden rounded-lg border bg-card lg:max-h-none lg:w-80">
        <RunHistory
          sandboxId={id}
          publicHost={sandbox.public_host}
          busy={busy || !running}
          onOpen={openRun}
          onRerun={rerun}
        />
      </aside>
    </div>
  );
}

/** The only part of the pane that re-renders with each batch of output. */
const RunOutput = memo(function RunOutput({
  session,
  framesOrigin,
}: {
  session: RunSession;
  framesOrigin: string | null;
}) {
  const state = useRunState(session);
  return (
    <OutputView state={state} framesOrigin={framesOrigin} onClear={session.clear} onAnswer={session.answer} />
  );
});
