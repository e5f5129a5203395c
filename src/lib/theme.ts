import { useCallback, useSyncExternalStore } from 'react';

export type Theme = 'light' | 'dark' | 'system';
export type ResolvedTheme = 'light' | 'dark';

const STORAGE_KEY = 'hopdeck-theme';
const listeners = new Set<() => void>();
const media =
  typeof window !== 'undefined' && typeof window.matchMedia === 'function'
    ? window.matchMedia('(prefers-color-scheme: dark)')
    : null;

function readTheme(): Theme {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    return saved === 'light' || saved === 'dark' ? saved : 'system';
  } catch {
    return 'system';
  }
}

export function resolveTheme(theme: Theme, systemDark: boolean): ResolvedTheme {
  if (theme === 'system') return systemDark ? 'dark' : 'light';
  return theme;
}

let current: Theme = typeof window !== 'undefined' ? readTheme() : 'system';
let snapshot = { theme: current, resolvedTheme: resolveTheme(current, media?.matches ?? false) };

function apply(): void {
  const resolvedTheme = resolveTheme(current, media?.matches ?? false);
  snapshot = { theme: current, resolvedTheme };
  document.documentElement.classList.toggle('dark', resolvedTheme === 'dark');
  listeners.forEach((l) => l());
}

media?.addEventListener('change', apply);
if (typeof window !== 'undefined') {
  // Another tab changed the theme.
  window.addEventListener('storage', (e) => {
    if (e.key !== STORAGE_KEY) return;
    current = readTheme();
    apply();
  });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function setTheme(theme: Theme): void {
  current = theme;
  try {
    if (theme === 'system') localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // storage unavailable: the choice lasts for this page only
  }
  apply();
}

/**
 * The theme chosen by the user (`light`, `dark` or `system`) and the one actually shown. Monaco and
 * anything else that paints its own colours follow `resolvedTheme`.
 */
export function useTheme(): { theme: Theme; resolvedTheme: ResolvedTheme; setTheme: (t: Theme) => void } {
  const snap = useSyncExternalStore(
    subscribe,
    () => snapshot,
    () => snapshot,
  );
  const set = useCallback((t: Theme) => setTheme(t), []);
  return { theme: snap.theme, resolvedTheme: snap.resolvedTheme, setTheme: set };
}
