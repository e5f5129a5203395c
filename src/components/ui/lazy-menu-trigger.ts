import type { KeyboardEvent, PointerEvent } from 'react';

/**
 * Props for a plain button that stands in for a menu trigger until the menu (Radix, loaded lazily)
 * is first used: it opens on the same gestures a Radix trigger does (primary pointer down; Enter,
 * Space or ArrowDown), so the first open feels no different from the later ones.
 */
export function lazyMenuTriggerProps(open: () => void) {
  return {
    'aria-haspopup': 'menu' as const,
    'aria-expanded': false,
    onPointerDown: (e: PointerEvent) => {
      if (e.button === 0 && !e.ctrlKey) {
        e.preventDefault();
        open();
      }
    },
    onKeyDown: (e: KeyboardEvent) => {
      if (e.key === 'Enter' || e.key === ' ' || e.key === 'ArrowDown') {
        e.preventDefault();
        open();
      }
    },
  };
}
