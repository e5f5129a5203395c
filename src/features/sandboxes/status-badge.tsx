import { CircleDashed, CircleDot, CirclePause, CircleStop, CircleX, Trash2 } from 'lucide-react';
import type { SandboxStatus } from '@contract/schemas';
import { Badge } from '@/components/ui/badge';

const STYLE = {
  creating: { variant: 'default', icon: CircleDashed },
  running: { variant: 'success', icon: CircleDot },
  paused: { variant: 'warning', icon: CirclePause },
  stopped: { variant: 'muted', icon: CircleStop },
  error: { variant: 'destructive', icon: CircleX },
  deleted: { variant: 'outline', icon: Trash2 },
} as const;

export function StatusBadge({ status }: { status: SandboxStatus }) {
  const { variant, icon: Icon } = STYLE[status];
  return (
    <Badge variant={variant} data-sandbox-status={status}>
      <Icon aria-hidden className={status === 'creating' ? 'animate-spin' : undefined} />
      {status}
    </Badge>
  );
}
