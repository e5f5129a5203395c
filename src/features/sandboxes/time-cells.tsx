import { formatCountdown, formatExact, formatRelative, secondsLeft } from '@/lib/format';
import { useNow } from '@/lib/use-now';
import { cn } from '@/lib/cn';

/** "3 minutes ago", exact date and time on hover. */
export function RelativeTime({ iso }: { iso: string | null | undefined }) {
  const now = useNow();
  return (
    <time dateTime={iso ?? undefined} title={formatExact(iso)}>
      {formatRelative(iso, now)}
    </time>
  );
}

/** Live countdown to `expires_at`; amber under 5 minutes, red once expired. */
export function Countdown({
  expiresAt,
  className,
}: {
  expiresAt: string | null | undefined;
  className?: string;
}) {
  const now = useNow();
  const left = secondsLeft(expiresAt, now);
  return (
    <time
      dateTime={expiresAt ?? undefined}
      title={expiresAt ? `Expires ${formatExact(expiresAt)}` : 'No automatic deletion'}
      className={cn(
        'tabular-nums',
        left !== null && left <= 0 && 'text-destructive',
        left !== null && left > 0 && left < 300 && 'text-warning',
        left === null && 'text-muted-foreground',
        className,
      )}
    >
      {formatCountdown(expiresAt, now)}
    </time>
  );
}
