import { useNavigate } from '@tanstack/react-router';
import { ExternalLink, MoreHorizontal, Pause, Play, Square, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { actionApplies, type SandboxAction } from '@/api/sandboxes';
import type { Sandbox } from '@contract/schemas';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { ACTION_LABELS, needsConfirmation, useActionWithToast, type ConfirmedAction } from './actions';
import { ConfirmSandboxAction } from './confirm-action';

const ICONS = { start: Play, stop: Square, pause: Pause, resume: Play } as const;

/** The open row menu (loaded on first use; see RowActions). */
export function RowMenu({ sandbox }: { sandbox: Sandbox }) {
  const navigate = useNavigate();
  const { run } = useActionWithToast();
  const [confirm, setConfirm] = useState<ConfirmedAction | null>(null);
  const act = (a: SandboxAction) => (needsConfirmation(a) ? setConfirm(a) : run(sandbox.id, a));
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
            const Icon = ICONS[a];
            return (
              <DropdownMenuItem key={a} disabled={!actionApplies(a, sandbox.status)} onSelect={() => act(a)}>
                <Icon /> {ACTION_LABELS[a]}
                {needsConfirmation(a) && '…'}
              </DropdownMenuItem>
            );
          })}
          <DropdownMenuSeparator />
          <DropdownMenuItem
            destructive
            disabled={!actionApplies('delete', sandbox.status)}
            onSelect={() => act('delete')}
          >
            <Trash2 /> Delete…
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      <ConfirmSandboxAction
        sandboxId={sandbox.id}
        action={confirm}
        onOpenChange={(o) => !o && setConfirm(null)}
      />
    </>
  );
}
