/**
 * Ctrl/Cmd+K: go to a page, create a sandbox, find a sandbox (those already loaded, and the engine's
 * own search for what is typed), act on the current sandbox. Loaded on first use by the app shell.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams } from '@tanstack/react-router';
import { Command } from 'cmdk';
import { Boxes, LayoutTemplate, Pause, Play, Plus, Settings, Square, Trash2 } from 'lucide-react';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { actionApplies, sandboxKeys, sandboxListQueryOptions, type SandboxAction } from '@/api/sandboxes';
import type { Sandbox, SandboxList } from '@contract/schemas';
import { ACTION_LABELS, needsConfirmation, useActionWithToast, type ConfirmedAction } from './actions';
import { ConfirmSandboxAction } from './confirm-action';

const ACTION_ICONS: Record<SandboxAction, ReactNode> = {
  start: <Play />,
  stop: <Square />,
  pause: <Pause />,
  resume: <Play />,
  delete: <Trash2 />,
};

function Item({ children, onSelect, value }: { children: ReactNode; onSelect: () => void; value: string }) {
  return (
    <Command.Item
      value={value}
      onSelect={onSelect}
      className="flex cursor-pointer items-center gap-2 rounded-md px-2 py-2 text-sm data-[selected=true]:bg-accent data-[selected=true]:text-accent-foreground [&_svg]:size-4 [&_svg]:text-muted-foreground"
    >
      {children}
    </Command.Item>
  );
}

const group =
  '[&_[cmdk-group-heading]]:px-2 [&_[cmdk-group-heading]]:py-1.5 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-medium [&_[cmdk-group-heading]]:text-muted-foreground';

/** What was typed, once typing pauses (one engine search per pause, not per keystroke). */
function useSettled(value: string, ms = 200): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

export function CommandPalette({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (o: boolean) => void;
}) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const params = useParams({ strict: false }) as { id?: string };
  const [search, setSearch] = useState('');
  const [confirm, setConfirm] = useState<ConfirmedAction | null>(null);
  const { run } = useActionWithToast();

  const currentId = params.id;
  const current = currentId ? client.getQueryData<Sandbox>(sandboxKeys.detail(currentId)) : undefined;

  // The engine's search (id or template contains the text) finds sandboxes not loaded yet.
  const q = useSettled(search.trim());
  const found = useQuery({
    ...sandboxListQueryOptions({ limit: 10, q }),
    enabled: open && q.length >= 2,
    refetchInterval: false,
  });

  // Sandboxes already in the cache (lists seen recently), plus the engine's matches.
  const known = useMemo(() => {
    if (!open) return [];
    const byId = new Map<string, Sandbox>();
    for (const [, data] of client.getQueriesData<SandboxList>({ queryKey: sandboxKeys.lists() })) {
      data?.data.forEach((s) => byId.set(s.id, s));
    }
    found.data?.data.forEach((s) => byId.set(s.id, s));
    return [...byId.values()].filter((s) => s.status !== 'deleted').slice(0, 50);
  }, [client, open, found.data]);

  const close = () => {
    onOpenChange(false);
    setSearch('');
  };
  const go = (fn: () => void) => () => {
    close();
    fn();
  };
  const act = (id: string, a: SandboxAction) => (needsConfirmation(a) ? setConfirm(a) : run(id, a));

  return (
    <>
      <Command.Dialog
        open={open}
        onOpenChange={(o) => (o ? onOpenChange(true) : close())}
        label="Command palette"
        overlayClassName="fixed inset-0 z-50 bg-black/50"
        contentClassName="fixed top-[15vh] left-1/2 z-50 w-[calc(100%-2rem)] max-w-xl -translate-x-1/2 overflow-hidden rounded-xl border bg-popover text-popover-foreground shadow-xl"
      >
        <Command.Input
          value={search}
          onValueChange={setSearch}
          placeholder="Type a command, a page or a sandbox id…"
          aria-label="Command"
          className="h-12 w-full border-b bg-transparent px-4 text-sm outline-none placeholder:text-muted-foreground"
        />
        <Command.List className="max-h-[50vh] overflow-y-auto p-2">
          <Command.Empty className="py-6 text-center text-sm text-muted-foreground">
            {found.isFetching ? 'Searching…' : 'No results.'}
          </Command.Empty>
          {current && (
            <Command.Group heading={`Current sandbox · ${current.id}`} className={group}>
              {(['start', 'stop', 'pause', 'resume', 'delete'] as const)
                .filter((a) => actionApplies(a, current.status))
                .map((a) => (
                  <Item key={a} value={`${a} current sandbox`} onSelect={go(() => act(current.id, a))}>
                    {ACTION_ICONS[a]}
                    {ACTION_LABELS[a]} sandbox{needsConfirmation(a) && '…'}
                  </Item>
                ))}
            </Command.Group>
          )}
          <Command.Group heading="Actions" className={group}>
            <Item
              value="create sandbox new"
              onSelect={go(() => navigate({ to: '/sandboxes', search: { create: true } }))}
            >
              <Plus /> Create sandbox
            </Item>
          </Command.Group>
          <Command.Group heading="Go to" className={group}>
            <Item value="go sandboxes" onSelect={go(() => navigate({ to: '/sandboxes' }))}>
              <Boxes /> Sandboxes
            </Item>
            <Item value="go templates" onSelect={go(() => navigate({ to: '/templates' }))}>
              <LayoutTemplate /> Templates
            </Item>
            <Item value="go settings api keys" onSelect={go(() => navigate({ to: '/settings' }))}>
              <Settings /> Settings
            </Item>
          </Command.Group>
          {known.length > 0 && (
            <Command.Group heading="Sandboxes" className={group}>
              {known.map((s) => (
                <Item
                  key={s.id}
                  value={`${s.id} ${s.template_name} ${s.status}`}
                  onSelect={go(() => navigate({ to: '/sandboxes/$id', params: { id: s.id } }))}
                >
                  <Boxes />
                  <span className="font-mono">{s.id}</span>
                  <span className="ml-auto text-xs text-muted-foreground">
                    {s.template_name} · {s.status}
                  </span>
                </Item>
              ))}
            </Command.Group>
          )}
        </Command.List>
      </Command.Dialog>
      {current && (
        <ConfirmSandboxAction
          sandboxId={current.id}
          action={confirm}
          onOpenChange={(o) => !o && setConfirm(null)}
          onDone={confirm === 'delete' ? () => void navigate({ to: '/sandboxes' }) : undefined}
        />
      )}
    </>
  );
}
