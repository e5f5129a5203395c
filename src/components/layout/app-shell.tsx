import { Link, useNavigate } from '@tanstack/react-router';
import { useQuery } from '@tanstack/react-query';
import { Boxes, LayoutTemplate, LogOut, Search, Settings } from 'lucide-react';
import { Suspense, lazy, useEffect, useState, type ComponentType, type ReactNode } from 'react';
import { Toaster, toast } from 'sonner';
import { useBackendProblems } from '@/api/backends';
import { healthQueryOptions } from '@/api/health';
import { useLogout } from '@/api/session';
import { Button } from '@/components/ui/button';
import { useTheme } from '@/lib/theme';
import { cn } from '@/lib/cn';
import { ThemeMenu } from './theme-menu';

// Loaded only while a backend is in trouble, not with the first page.
const BackendBanner = lazy(() => import('./backend-banner').then((m) => ({ default: m.BackendBanner })));

export type PaletteComponent = ComponentType<{ open: boolean; onOpenChange: (open: boolean) => void }>;

const NAV = [
  { to: '/sandboxes', label: 'Sandboxes', icon: Boxes },
  { to: '/templates', label: 'Templates', icon: LayoutTemplate },
  { to: '/settings', label: 'Settings', icon: Settings },
] as const;

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

function EngineStatus() {
  const health = useQuery(healthQueryOptions());
  const ok = health.data?.status === 'ok';
  return (
    <Link
      to="/settings"
      className="flex items-center gap-2 rounded-md px-2 py-1 text-xs text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/60"
    >
      <span
        aria-hidden
        className={cn(
          'size-2 rounded-full',
          ok ? 'bg-success' : health.isError ? 'bg-destructive' : 'bg-muted',
        )}
      />
      {ok && health.data
        ? `Engine ${health.data.version}`
        : health.isError
          ? 'Engine unreachable'
          : 'Engine…'}
    </Link>
  );
}

/**
 * The signed-in frame: sidebar, header, main area. The command palette is the sandbox feature's; the
 * root route hands it in (lazily loaded, mounted on first use, not with the first page).
 */
export function AppShell({
  children,
  palette: Palette,
}: {
  children: ReactNode;
  palette?: PaletteComponent;
}) {
  const [paletteOpen, setPaletteOpenState] = useState(false);
  const [paletteUsed, setPaletteUsed] = useState(false);
  const setPaletteOpen = (open: boolean | ((o: boolean) => boolean)) => {
    setPaletteUsed(true);
    setPaletteOpenState(open);
  };
  const { resolvedTheme } = useTheme();
  const backendProblems = useBackendProblems();
  const logout = useLogout();
  const navigate = useNavigate();

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setPaletteOpen((o) => !o);
      } else if (e.key === '/' && !e.metaKey && !e.ctrlKey && !e.altKey && !isTyping(e.target)) {
        const search = document.querySelector<HTMLInputElement>('[data-list-search]');
        if (search) {
          e.preventDefault();
          search.focus();
          search.select();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const signOut = () =>
    logout.mutate(undefined, {
      onSettled: () => {
        toast.success('Signed out');
        void navigate({ to: '/login' });
      },
    });

  return (
    <div className="flex min-h-dvh flex-col md:flex-row">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-primary px-3 py-2 text-primary-foreground focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
      >
        Skip to content
      </a>
      <aside className="flex shrink-0 flex-row items-center gap-1 border-b bg-card px-2 py-2 md:sticky md:top-0 md:h-dvh md:w-56 md:flex-col md:items-stretch md:border-r md:border-b-0 md:px-3 md:py-4">
        <Link
          to="/sandboxes"
          className="mr-2 flex items-center gap-2 rounded-md px-2 py-1 font-semibold outline-none focus-visible:ring-[3px] focus-visible:ring-ring/60 md:mr-0 md:mb-4"
        >
          <img src="/favicon.svg" alt="" className="size-6" />
          <span className="hidden sm:inline">Hopdeck</span>
        </Link>
        <nav aria-label="Main" className="flex flex-1 flex-row gap-1 md:flex-col">
          {NAV.map(({ to, label, icon: Icon }) => (
            <Link
              key={to}
              to={to}
              className="flex items-center gap-2 rounded-md px-2 py-1.5 text-sm text-muted-foreground outline-none hover:bg-accent hover:text-accent-foreground focus-visible:ring-[3px] focus-visible:ring-ring/60"
              activeProps={{
                className: 'bg-accent text-accent-foreground font-medium',
                'aria-current': 'page',
              }}
            >
              <Icon className="size-4" aria-hidden />
              <span className="hidden sm:inline">{label}</span>
              <span className="sr-only sm:hidden">{label}</span>
            </Link>
          ))}
        </nav>
        <div className="hidden md:block">
          <EngineStatus />
        </div>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="sticky top-0 z-30 flex h-14 items-center gap-2 border-b bg-background/95 px-4 backdrop-blur">
          <Button
            variant="outline"
            className="w-auto min-w-0 flex-1 justify-start text-muted-foreground sm:max-w-xs"
            onClick={() => setPaletteOpen(true)}
          >
            <Search />
            <span className="truncate">Search or jump to…</span>
            <kbd className="ml-auto hidden rounded border bg-muted px-1.5 font-mono text-[10px] sm:inline">
              Ctrl K
            </kbd>
          </Button>
          <div className="ml-auto flex shrink-0 items-center gap-1">
            <ThemeMenu />
            <Button variant="ghost" size="sm" onClick={signOut} disabled={logout.isPending}>
              <LogOut />
              <span className="hidden sm:inline">Sign out</span>
              <span className="sr-only sm:hidden">Sign out</span>
            </Button>
          </div>
        </header>
        <main id="main" tabIndex={-1} className="flex-1 p-4 outline-none md:p-6">
          {backendProblems.length > 0 && (
            <Suspense fallback={null}>
              <BackendBanner problems={backendProblems} />
            </Suspense>
          )}
          {children}
        </main>
      </div>
      {paletteUsed && Palette && (
        <Suspense fallback={null}>
          <Palette open={paletteOpen} onOpenChange={setPaletteOpen} />
        </Suspense>
      )}
      <Toaster theme={resolvedTheme} richColors closeButton position="bottom-right" />
    </div>
  );
}
