import { DropdownMenu as M } from 'radix-ui';
import { Check } from 'lucide-react';
import type { ReactNode } from 'react';
import { SANDBOX_STATUSES, type SandboxStatus } from '@contract/schemas';
import { DropdownMenu, DropdownMenuContent, DropdownMenuTrigger } from '@/components/ui/dropdown-menu';

/** The open status filter (loaded on first use; see StatusFilter). */
export function StatusFilterMenu({
  statuses,
  onToggle,
  trigger,
}: {
  statuses: SandboxStatus[];
  onToggle: (s: SandboxStatus) => void;
  trigger: ReactNode;
}) {
  return (
    <DropdownMenu defaultOpen>
      <DropdownMenuTrigger asChild>{trigger}</DropdownMenuTrigger>
      <DropdownMenuContent align="start">
        {SANDBOX_STATUSES.map((s) => (
          <M.CheckboxItem
            key={s}
            checked={statuses.includes(s)}
            onSelect={(e) => e.preventDefault()}
            onCheckedChange={() => onToggle(s)}
            className="relative flex cursor-pointer items-center rounded-sm py-1.5 pr-2 pl-7 text-sm capitalize outline-none select-none data-[highlighted]:bg-accent"
          >
            <M.ItemIndicator className="absolute left-2">
              <Check className="size-4" />
            </M.ItemIndicator>
            {s}
          </M.CheckboxItem>
        ))}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
