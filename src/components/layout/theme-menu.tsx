import { Monitor, Moon, Sun } from 'lucide-react';
import { useTheme, type Theme } from '@/lib/theme';
import { cn } from '@/lib/cn';

const OPTIONS: { value: Theme; label: string; icon: typeof Sun }[] = [
  { value: 'light', label: 'Light theme', icon: Sun },
  { value: 'dark', label: 'Dark theme', icon: Moon },
  { value: 'system', label: 'System theme', icon: Monitor },
];

/** Light / dark / system, as a small radio group (no menu library in the first load). */
export function ThemeMenu() {
  const { theme, setTheme } = useTheme();
  return (
    <div role="radiogroup" aria-label="Theme" className="flex items-center rounded-md border p-0.5">
      {OPTIONS.map(({ value, label, icon: Icon }) => (
        <button
          key={value}
          type="button"
          role="radio"
          aria-checked={theme === value}
          aria-label={label}
          title={label}
          tabIndex={theme === value ? 0 : -1}
          onClick={() => setTheme(value)}
          onKeyDown={(e) => {
            if (!['ArrowLeft', 'ArrowRight'].includes(e.key)) return;
            e.preventDefault();
            const i = OPTIONS.findIndex((o) => o.value === theme);
            const next = OPTIONS[(i + (e.key === 'ArrowRight' ? 1 : OPTIONS.length - 1)) % OPTIONS.length];
            if (next) {
              setTheme(next.value);
              (
                e.currentTarget.parentElement?.children[OPTIONS.indexOf(next)] as HTMLElement | undefined
              )?.focus();
            }
          }}
          className={cn(
            'flex size-7 cursor-pointer items-center justify-center rounded text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/60',
            theme === value && 'bg-accent text-accent-foreground',
          )}
        >
          <Icon className="size-4" aria-hidden />
        </button>
      ))}
    </div>
  );
}
