/** Shown in the run pane when the sandbox cannot run code right now, with the action that fixes it. */
import type { Sandbox } from '@contract/schemas';
import { WakeSandbox } from '@/components/wake-sandbox';

const MESSAGE: Partial<Record<Sandbox['status'], string>> = {
  paused: 'This sandbox is paused: its memory is kept, but it cannot run code until it is resumed.',
  stopped: 'This sandbox is stopped: its files are kept; start it to run code again.',
  creating: 'This sandbox is still starting…',
  error: 'This sandbox is in an error state.',
  deleted: 'This sandbox has been deleted.',
};

export function SandboxStateBanner({ sandbox, pending }: { sandbox: Sandbox; pending: boolean }) {
  if (sandbox.status === 'running' && pending) {
    return (
      <div role="status" className="border-b bg-amber-500/10 px-3 py-2 text-sm">
        Waiting for the sandbox to be ready…
      </div>
    );
  }
  if (sandbox.status === 'running') return null;
  return (
    <div
      role="status"
      className="flex flex-wrap items-center gap-3 border-b bg-amber-500/10 px-3 py-2 text-sm"
    >
      <span>
        {MESSAGE[sandbox.status] ?? `This sandbox is ${sandbox.status}.`}
        {sandbox.status === 'error' && sandbox.error_message ? ` ${sandbox.error_message}` : ''}
      </span>
      <WakeSandbox sandbox={sandbox} size="sm" errorClassName="w-full" />
    </div>
  );
}
