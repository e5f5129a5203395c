import { MoreHorizontal } from 'lucide-react';
import { Suspense, lazy, useState } from 'react';
import type { Sandbox } from '@contract/schemas';
import { Button } from '@/components/ui/button';
import { lazyMenuTriggerProps } from '@/components/ui/lazy-menu-trigger';

const RowMenu = lazy(() => import('./row-menu').then((m) => ({ default: m.RowMenu })));

/**
 * The row's action menu. Until first used it is a plain button: a menu, a mutation observer and a
 * router hook per row would make every row that scrolls into view expensive to mount.
 */
export function RowActions({ sandbox }: { sandbox: Sandbox }) {
  const [active, setActive] = useState(false);
  const button = (
    <Button
      variant="ghost"
      size="icon-sm"
      aria-label={`Actions for ${sandbox.id}`}
      {...lazyMenuTriggerProps(() => setActive(true))}
    >
      <MoreHorizontal />
    </Button>
  );
  if (!active) return button;
  return (
    <Suspense fallback={button}>
      <RowMenu sandbox={sandbox} />
    </Suspense>
  );
}
