/** Attaches a terminal tab's xterm to the page, keeps it fitted to its box, and shows its state. */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { Button } from '@/components/ui/button';
import { attachTab, type TerminalTab } from './terminal-tabs';

const STATE_TEXT = {
  connecting: 'Connecting…',
  open: 'Connected',
  reconnecting: 'Connection lost, reconnecting…',
  offline: 'Not connected',
  exited: 'Shell exited',
  disposed: 'Closed',
} as const;

export function TerminalView({ tab, id }: { tab: TerminalTab; id: string }) {
  const host = useRef<HTMLDivElement>(null);
  const snap = useSyncExternalStore(tab.conn.subscribe, tab.conn.getSnapshot);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const detach = attachTab(tab, el);
    let frame = 0;
    const refit = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (tab.element.clientWidth > 0 && tab.element.clientHeight > 0) tab.fit.fit();
      });
    };
    refit();
    const ro = new ResizeObserver(refit);
    ro.observe(el);
    tab.term.focus();
    return () => {
      ro.disconnect();
      cancelAnimationFrame(frame);
      detach();
    };
  }, [tab]);

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div
        className="flex flex-wrap items-center justify-between gap-2 border-b px-3 py-1.5 text-xs"
        data-testid="terminal-state"
        data-state={snap.state}
      >
        <span role="status" className="text-muted-foreground">
          {STATE_TEXT[snap.state]}
          {snap.state === 'exited' && snap.exitCode !== null ? ` (code ${snap.exitCode})` : ''}
        </span>
        {snap.state === 'exited' && (
          <Button size="sm" variant="outline" onClick={() => tab.conn.restart()}>
            New shell
          </Button>
        )}
      </div>
      <div
        id={id}
        ref={host}
        role="tabpanel"
        aria-label={tab.title}
        className="min-h-0 flex-1 bg-[#0b0f17] p-1"
        data-testid="terminal"
      />
    </div>
  );
}
