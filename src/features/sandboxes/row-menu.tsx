import { useNavigate } from '@tanstack/react-router';
import { ExternalLink, MoreHorizontal, Pause, Play, Square, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { actionApplies } from '@/api/sandboxes';
import type { Sandbox } from '@contract/schemas';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/dialog';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { ACTION_LABELS, useActionWithToast } from './actions';

/** The open row menu (loaded on first use; see RowActions). */
export function RowMenu({ sandbox }: { sandbox: Sandbox }) {
  const navigate = useNavigate();
  const { run } = useActionWithToast();
  const [confirm, setConfirm] = useState(false);
  const icons = { start: Play, stop: Square, pause: Pause, resume: Play } as const;
  return (
    <>
      <DropdownMenu defaultOpen>
        <DropdownMenuTrigger asChild>
          <Button variant="ghost" size="icon-sm" aria-label={`Actions for ${sandbox.id}`}>
            <MoreHorizontal />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end">
          <DropdownMenuItem
            onSelect={() => void navigate({ to: '/sandboxes/$id', params: { id: sandbox.id } })}
          >
            <ExternalLink /> Open
          </DropdownMenuItem>
          <DropdownMenuSeparator />
          {(['start', 'stop', 'pause', 'resume'] as const).map((a) => {
            const Icon = icons[a];
            return (
              <DropdownMenuItem
                key={a}
                disabled={!actionApplies(a, sandbox.status)}
                onSelect={() => run(sandbox.id, a)}
              >
                <Icon /> {ACTION_LABELS[a]}
              </DropdownMenuItem>
            );
          })}
          <DropdownMenuSeparator />
          <DropdownMenuItem
            destructive
            disabled={!actionApplies('delete', sandbox.status)}
            onSelect={() => setConfirm(true)}
          >
            <Trash2 /> Delete…
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      {confirm && (
        <ConfirmDialog
          open={confirm}
          onOpenChange={setConfirm}
          title="Delete sandbox?"
          description={`${sandbox.id} and everything in it will be removed. This cannot be undone.`}
          confirmLabel="Delete"
          destructive
          onConfirm={() => run(sandbox.id, 'delete')}
        />
      )}
    </>
  );
}
