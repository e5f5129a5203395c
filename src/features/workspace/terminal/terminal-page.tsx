/** The Terminal tab: several shells per sandbox, copy/paste, and a clear state when it is not running. */
import { ClipboardPaste, Copy, Plus, X } from 'lucide-react';
import { useEffect, useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import { Button } from '@/components/ui/button';
import { cn } from '@/lib/cn';
import { SandboxOffline } from '../shared/sandbox-offline';
import { useWorkspaceSandbox } from '../shared/use-workspace-sandbox';
import { closeTab, copySelection, getTabs, openTab, subscribeTabs } from './terminal-tabs';
import { TerminalView } from './terminal-view';

export function TerminalPage({ sandboxId }: { sandboxId: string }) {
  const { sandbox, target, running } = useWorkspaceSandbox(sandboxId);
  const tabs = useSyncExternalStore(subscribeTabs, () => getTabs(sandboxId));
  const [activeKey, setActiveKey] = useState<number | null>(null);
  const active = tabs.find((t) => t.key === activeKey) ?? tabs[0];

  // The first visit opens one terminal.
  useEffect(() => {
    if (getTabs(sandboxId).length === 0) openTab(sandboxId, target);
  }, [sandboxId, target]);

  // Shells are held only while the sandbox runs; they come back after resume (see TerminalConnection).
  useEffect(() => {
    for (const t of tabs) {
      t.conn.setTarget(target);
      t.conn.setAvailable(running);
      t.conn.setWatched(true);
    }
  }, [tabs, target, running]);
  useEffect(
    () => () => {
      for (const t of getTabs(sandboxId)) t.conn.setWatched(false);
    },
    [sandboxId],
  );

  const onTabKey = (e: KeyboardEvent, i: number) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step || tabs.length < 2) return;
    const next = tabs[(i + step + tabs.length) % tabs.length];
    if (!next) return;
    setActiveKey(next.key);
    document.getElementById(`term-tab-${next.key}`)?.focus();
  };

  const paste = async () => {
    if (!active) return;
    const text = await navigator.clipboard?.readText().catch(() => '');
    if (text) active.term.paste(text);
    active.term.focus();
  };

  return (
    <section aria-label="Terminal" className="flex flex-col overflow-hidden rounded-lg border">
      <div className="flex flex-wrap items-center gap-1 border-b px-2 py-1">
        <div role="tablist" aria-label="Terminals" className="flex min-w-0 flex-1 gap-1 overflow-x-auto">
          {tabs.map((t, i) => (
            <button
              key={t.key}
              id={`term-tab-${t.key}`}
              role="tab"
              type="button"
              aria-selected={t === active}
              aria-controls={`term-panel-${t.key}`}
              tabIndex={t === active ? 0 : -1}
              onClick={() => setActiveKey(t.key)}
              onKeyDown={(e) => onTabKey(e, i)}
              className={cn(
                'shrink-0 rounded-md px-3 py-1.5 text-sm whitespace-nowrap outline-none focus-visible:ring-[3px] focus-visible:ring-ring/60',
                t === active
                  ? 'bg-accent font-medium text-foreground'
                  : 'text-muted-foreground hover:text-foreground',
              )}
            >
              {t.title}
            </button>
          ))}
        </div>
        <Button size="sm" variant="ghost" onClick={() => setActiveKey(openTab(sandboxId, target).key)}>
          <Plus /> New terminal
        </Button>
        <Button
          size="icon-sm"
          variant="ghost"
          aria-label="Copy selection"
          title="Copy selection (Ctrl+Shift+C)"
          disabled={!active}
          onClick={() => active && void copySelection(active.term)}
        >
          <Copy />
        </Button>
        <Button
          size="icon-sm"
          variant="ghost"
          aria-label="Paste"
          title="Paste (Ctrl+Shift+V)"
          disabled={!active || !running}
          onClick={() => void paste()}
        >
          <ClipboardPaste />
        </Button>
        <Button
          size="icon-sm"
          variant="ghost"
          aria-label={active ? `Close ${active.title}` : 'Close terminal'}
          disabled={!active}
          onClick={() => active && closeTab(sandboxId, active.key)}
        >
          <X />
        </Button>
      </div>
      {sandbox && !running && <SandboxOffline sandbox={sandbox} what="The terminal" />}
      <div className={cn('flex h-[60vh] min-h-72 flex-col', !running && 'hidden')}>
        {active && <TerminalView key={active.key} tab={active} id={`term-panel-${active.key}`} />}
      </div>
    </section>
  );
}
