/**
 * A folder's entries. Virtualized (@tanstack/react-virtual): only the rows on screen are in the DOM,
 * so a folder of 100,000 entries scrolls like one of ten.
 */
import { Link } from '@tanstack/react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Download, File, Folder, Pencil, Trash2 } from 'lucide-react';
import { memo, useEffect, useRef } from 'react';
import { isDirectory, type FileInfo } from '@/api/files';
import { Button } from '@/components/ui/button';
import { cn } from '@/lib/cn';
import { formatBytes } from '@/lib/format-bytes';

const ROW_HEIGHT = 40;

export interface FileActions {
  download: (f: FileInfo) => void;
  rename: (f: FileInfo) => void;
  remove: (f: FileInfo) => void;
}

const Row = memo(function Row({
  f,
  sandboxId,
  folder,
  selected,
  actions,
}: {
  f: FileInfo;
  sandboxId: string;
  folder: string;
  selected: boolean;
  actions: FileActions;
}) {
  const dir = isDirectory(f);
  const Icon = dir ? Folder : File;
  return (
    <div
      className={cn(
        'grid h-10 grid-cols-[minmax(0,1fr)_5.5rem_auto] items-center gap-2 border-b px-3 text-sm @xl:grid-cols-[minmax(0,1fr)_6rem_11rem_auto]',
        selected && 'bg-accent',
      )}
    >
      <span className="min-w-0">
        <Link
          to="/sandboxes/$id/files"
          params={{ id: sandboxId }}
          search={dir ? { path: f.path } : { path: folder, file: f.path }}
          className="flex min-w-0 items-center gap-2 rounded outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/60"
        >
          <Icon
            className={cn('size-4 shrink-0', dir ? 'text-primary' : 'text-muted-foreground')}
            aria-hidden
          />
          <span className="truncate font-mono">{f.name}</span>
          {dir && <span className="sr-only">(folder)</span>}
        </Link>
      </span>
      <span className="text-right text-xs text-muted-foreground tabular-nums">
        {dir ? '—' : formatBytes(f.size)}
      </span>
      <span className="hidden truncate text-xs text-muted-foreground @xl:block">
        {f.modified_time ? new Date(f.modified_time).toLocaleString() : ''}
      </span>
      <span className="flex w-[6.5rem] justify-end gap-0.5">
        {!dir && (
          <Button
            variant="ghost"
            size="icon-sm"
            aria-label={`Download ${f.name}`}
            onClick={() => actions.download(f)}
          >
            <Download />
          </Button>
        )}
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={`Rename ${f.name}`}
          onClick={() => actions.rename(f)}
        >
          <Pencil />
        </Button>
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={`Delete ${f.name}`}
          onClick={() => actions.remove(f)}
        >
          <Trash2 />
        </Button>
      </span>
    </div>
  );
});

export function FileList({
  files,
  total,
  more,
  sandboxId,
  folder,
  openFile,
  actions,
}: {
  files: FileInfo[];
  /** Entries in the folder, when the agent says (it may be more than loaded so far). */
  total?: number;
  /** Present while more pages can be loaded. */
  more?: { loading: boolean; load: () => void };
  sandboxId: string;
  folder: string;
  openFile?: string;
  actions: FileActions;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual is not compiler-safe; nothing here is memoized by the compiler
  const virtualizer = useVirtualizer({
    count: files.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    initialRect: { width: 800, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  // Near the end of what is loaded: fetch the next page.
  const lastShown = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (more && !more.loading && lastShown >= files.length - 100) more.load();
  }, [more, lastShown, files.length]);
  const setSize = total ?? files.length;

  return (
    <div className="@container flex min-h-0 flex-1 flex-col">
      <div
        aria-hidden
        className="grid grid-cols-[minmax(0,1fr)_5.5rem_auto] gap-2 border-b bg-muted/40 px-3 py-2 text-xs font-medium text-muted-foreground @xl:grid-cols-[minmax(0,1fr)_6rem_11rem_auto]"
      >
        <span>Name</span>
        <span className="text-right">Size</span>
        <span className="hidden @xl:block">Modified</span>
        <span className="w-[6.5rem]" />
      </div>
      <div ref={scrollRef} className="min-h-0 flex-1 overflow-auto" data-testid="file-scroll">
        {files.length === 0 ? (
          <p className="p-6 text-center text-sm text-muted-foreground">
            This folder is empty. Drop files here to upload them.
          </p>
        ) : (
          <ul
            aria-label={`Files in ${folder}`}
            style={{ height: virtualizer.getTotalSize(), position: 'relative' }}
          >
            {items.map((v) => {
              const f = files[v.index];
              if (!f) return null;
              return (
                <li
                  key={f.path}
                  aria-setsize={setSize}
                  aria-posinset={v.index + 1}
                  style={{
                    position: 'absolute',
                    top: 0,
                    left: 0,
                    right: 0,
                    transform: `translateY(${v.start}px)`,
                  }}
                >
                  <Row
                    f={f}
                    sandboxId={sandboxId}
                    folder={folder}
                    selected={f.path === openFile}
                    actions={actions}
                  />
                </li>
              );
            })}
          </ul>
        )}
      </div>
      {(more || (total !== undefined && total > files.length)) && (
        <p role="status" className="border-t px-3 py-1.5 text-xs text-muted-foreground">
          {more?.loading ? 'Loading more… ' : ''}
          {files.length.toLocaleString()} of {setSize.toLocaleString()} entries loaded
        </p>
      )}
    </div>
  );
}
