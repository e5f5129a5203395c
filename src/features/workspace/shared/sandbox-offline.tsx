/** Shown instead of a workspace tab's content while the sandbox cannot answer (paused, stopped, …). */
import { PauseCircle } from 'lucide-react';
import { WakeSandbox } from '@/components/wake-sandbox';
import type { Sandbox } from '@contract/schemas';

const WHY: Partial<Record<Sandbox['status'], string>> = {
  paused: 'The sandbox is paused: its memory is kept, but nothing inside can answer until it is resumed.',
  stopped: 'The sandbox is stopped: its files are kept; start it to use this again.',
  creating: 'The sandbox is still starting…',
  error: 'The sandbox is in an error state.',
  deleted: 'The sandbox has been deleted.',
};

export function SandboxOffline({ sandbox, what }: { sandbox: Sandbox; what: string }) {
  return (
    <div role="status" className="flex flex-col items-center gap-3 rounded-lg border p-8 text-center text-sm">
      <PauseCircle className="size-8 text-muted-foreground" aria-hidden />
      <p className="font-medium">{what} is unavailable</p>
      <p className="max-w-md text-muted-foreground">
        {WHY[sandbox.status] ?? `The sandbox is ${sandbox.status}.`}
      </p>
      <WakeSandbox sandbox={sandbox} />
    </div>
  );
}
