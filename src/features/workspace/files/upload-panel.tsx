/** Progress of the current uploads: one bar for all of them, and a line per file that failed. */
import { Button } from '@/components/ui/button';
import { ErrorAlert } from '@/components/ui/error-alert';
import { formatBytes } from '@/lib/format-bytes';
import type { UploadItem } from './use-uploads';

export function UploadPanel({
  items,
  onCancel,
  onClear,
}: {
  items: UploadItem[];
  onCancel: () => void;
  onClear: () => void;
}) {
  if (items.length === 0) return null;
  const total = items.reduce((n, i) => n + i.size, 0);
  const loaded = items.reduce((n, i) => n + (i.state === 'done' ? i.size : i.loaded), 0);
  const active = items.some((i) => i.state === 'uploading' || i.state === 'queued');
  const done = items.filter((i) => i.state === 'done').length;
  const failed = items.filter((i) => i.state === 'failed');
  const pct = total ? Math.round((loaded / total) * 100) : active ? 0 : 100;
  return (
    <div className="space-y-2 border-b px-3 py-2 text-sm" data-testid="uploads">
      <div className="flex flex-wrap items-center gap-2">
        <span role="status" className="flex-1">
          {active
            ? `Uploading ${done + 1} of ${items.length}… ${formatBytes(loaded)} of ${formatBytes(total)}`
            : `Uploaded ${done} of ${items.length} file${items.length === 1 ? '' : 's'}`}
        </span>
        {active ? (
          <Button size="sm" variant="outline" onClick={onCancel}>
            Cancel
          </Button>
        ) : (
          <Button size="sm" variant="ghost" onClick={onClear}>
            Dismiss
          </Button>
        )}
      </div>
      <div
        role="progressbar"
        aria-label="Upload progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        className="h-2 overflow-hidden rounded-full bg-muted"
      >
        <div className="h-full bg-primary transition-[width]" style={{ width: `${pct}%` }} />
      </div>
      {failed.map((f) => (
        <ErrorAlert key={f.id} error={f.error} title={`Could not upload ${f.name}`} />
      ))}
    </div>
  );
}
