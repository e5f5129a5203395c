import { useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams } from '@tanstack/react-router';
import { Command } from 'cmdk';
import {
  Boxes,
  LayoutTemplate,
  Pause,
  Play,
  Plus,
  Settings,
  Square,
  SquareArrowOutUpRight,
  Trash2,
} from 'lucide-react';
import { useMemo, useState, type ReactNode } from 'react';
import { toast } from 'sonner';
import { actionApplies, sandboxKeys, useSandboxAction, type SandboxAction } from '@/api/sandboxes';
import type { Sandbox, SandboxList } from '@contract/schemas';
import { ConfirmDialog } from '@/components/ui/dialog';
import { describeError } from '@/lib/errors';

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

/** Ctrl/Cmd+K: go to a page, create a sandbox, jump to a sandbox, act on the current sandbox. */
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
  const [confirmDelete, setConfirmDelete] = useState(false);
  const action = useSandboxAction();

  const currentId = params.id;
  const current = currentId ? client.getQueryData<Sandbox>(sandboxKeys.detail(currentId)) : undefined;

  // Sandboxes already in the cache (lists seen recently): no request per keystroke.
  const known = useMemo(() => {
    if (!open) return [];
    const byId = new Map<string, Sandbox>();
    for (const [, data] of client.getQueriesData<SandboxList>({ queryKey: sandboxKeys.lists() })) {
      data?.data.forEach((s) => byId.set(s.id, s));
    }
    return [...byId.values()].filter((s) => s.status !== 'deleted').slice(0, 50);
  }, [client, open]);

  const close = () => {
    onOpenChange(false);
    setSearch('');
  };
  const go = (fn: () => void) => () => {
    close();
    fn();
  };

  const run = (id: string, a: SandboxAction) =>
    action.mutate(
      { id, action: a },
      {
        onSuccess: () => {
          toast.success(
            `${a === 'delete' ? 'Deleted' : `${a[0]?.toUpperCase()}${a.slice(1)} sent to`} ${id}`,
          );
          if (a === 'delete') void navigate({ to: '/sandboxes' });
        },
        onError: (e) => toast.error(`Could not ${a} ${id}: ${describeError(e)}`),
      },
    );

  const typedId = search.trim();
  const looksLikeId = /^[A-Za-z0-9_-]{6,}$/.test(typedId) && !known.some((s) => s.id === typedId);

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
            No results.
          </Command.Empty>
          {current && (
            <Command.Group heading={`Current sandbox · ${current.id}`} className={group}>
              {(['start', 'stop', 'pause', 'resume', 'delete'] as const)
                .filter((a) => actionApplies(a, current.status))
                .map((a) => (
                  <Item
                    key={a}
                    value={`${a} current sandbox`}
                    onSelect={go(() => (a === 'delete' ? setConfirmDelete(true) : run(current.id, a)))}
                  >
                    {ACTION_ICONS[a]}
                    <span className="capitalize">{a}</span> sandbox
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
          {(known.length > 0 || looksLikeId) && (
            <Command.Group heading="Sandboxes" className={group}>
              {looksLikeId && (
                <Item
                  value={`open ${typedId}`}
                  onSelect={go(() => navigate({ to: '/sandboxes/$id', params: { id: typedId } }))}
                >
                  <SquareArrowOutUpRight /> Open sandbox <span className="font-mono">{typedId}</span>
                </Item>
              )}
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
        <ConfirmDialog
          open={confirmDelete}
          onOpenChange={setConfirmDelete}
          title="Delete sandbox?"
          description={`${current.id} and everything in it will be removed. This cannot be undone.`}
          confirmLabel="Delete"
          destructive
          onConfirm={() => run(current.id, 'delete')}
        />
      )}
    </>
  );
}
