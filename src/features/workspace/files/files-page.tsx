/**
 * The Files tab: a folder (in the URL, default /workspace) with breadcrumbs, its entries, the open
 * file beside it (or above it on a phone), uploads by drag and drop, and live refresh.
 */
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { FilePlus, FolderPlus, RefreshCw, Upload } from 'lucide-react';
import { useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import {
  fileKeys,
  fileListQueryOptions,
  isDirectory,
  listedEntries,
  makeFolder,
  readFileBlob,
  removePath,
  renamePath,
  writeTextFile,
  type FileInfo,
} from '@/api/files';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/dialog';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Skeleton } from '@/components/ui/skeleton';
import { cn } from '@/lib/cn';
import { SandboxOffline } from '../shared/sandbox-offline';
import { useWorkspaceSandbox } from '../shared/use-workspace-sandbox';
import { Breadcrumbs } from './breadcrumbs';
import { FileList, type FileActions } from './file-list';
import { FileViewer } from './file-viewer';
import { FileWatch } from './file-watch';
import { NameDialog, type NameRequest } from './name-dialog';
import { baseName, joinPath, parentOf } from './paths';
import { DEFAULT_FOLDER } from './search';
import { UploadPanel } from './upload-panel';
import { useUploads } from './use-uploads';

const route = getRouteApi('/sandboxes/$id/files');

export function FilesPage({ sandboxId }: { sandboxId: string }) {
  const { sandbox, running } = useWorkspaceSandbox(sandboxId);
  if (sandbox && !running) return <SandboxOffline sandbox={sandbox} what="The file browser" />;
  return <FilesBrowser sandboxId={sandboxId} />;
}

function FilesBrowser({ sandboxId }: { sandboxId: string }) {
  const { path = DEFAULT_FOLDER, file } = route.useSearch();
  const navigate = route.useNavigate();
  const client = useQueryClient();
  const { target } = useWorkspaceSandbox(sandboxId);
  const list = useInfiniteQuery(fileListQueryOptions(target, path));
  const files = useMemo(() => (list.data ? listedEntries(list.data.pages) : []), [list.data]);
  const total = list.data?.pages[0]?.total;
  const uploads = useUploads(target);
  const [naming, setNaming] = useState<NameRequest | null>(null);
  const [deleting, setDeleting] = useState<FileInfo | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [dragging, setDragging] = useState(false);
  const picker = useRef<HTMLInputElement>(null);

  // Live refresh: a change directly in this folder refetches its listing.
  useEffect(() => {
    const watch = new FileWatch(target, path, (paths) => {
      if (paths.some((p) => parentOf(p) === path)) {
        void client.invalidateQueries({ queryKey: fileKeys.list(target.id, path) });
      }
    });
    return () => watch.close();
  }, [client, target, path]);

  const refreshLists = () => client.invalidateQueries({ queryKey: fileKeys.lists(target.id) });
  const openFile = (f: string | undefined) => void navigate({ search: { path, file: f } });

  const download = async (p: string) => {
    setActionError(null);
    try {
      const blob = await readFileBlob(target, p);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = baseName(p);
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      setActionError(e);
    }
  };

  const actions: FileActions = useMemo(
    () => ({
      download: (f) => void download(f.path),
      rename: (f) =>
        setNaming({
          title: `Rename ${f.name}`,
          description: `New name for ${f.path}`,
          confirm: 'Rename',
          initial: f.name,
          run: async (name) => {
            const to = joinPath(parentOf(f.path), name);
            if (to === f.path) return;
            await renamePath(target, f.path, to);
            await refreshLists();
            if (file === f.path) openFile(to);
          },
        }),
      remove: (f) => setDeleting(f),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- rebuilt with the target and open file
    [target, file, path],
  );

  const create = (kind: 'file' | 'folder') =>
    setNaming({
      title: kind === 'file' ? 'New file' : 'New folder',
      description: `Created in ${path}`,
      confirm: 'Create',
      initial: '',
      run: async (name) => {
        const p = joinPath(path, name);
        if (kind === 'file') await writeTextFile(target, p, '', false);
        else await makeFolder(target, p);
        await refreshLists();
        if (kind === 'file') openFile(p);
      },
    });

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const files = [...e.dataTransfer.files];
    if (files.length) void uploads.upload(path, files);
  };

  const entry = files.find((f) => f.path === file);
  return (
    <section
      aria-label="Files"
      className="relative flex flex-col overflow-hidden rounded-lg border"
      onDragOver={(e) => {
        if (![...e.dataTransfer.types].includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <div className="flex flex-wrap items-center gap-2 border-b px-3 py-2">
        {/* On a phone the path gets its own line above the buttons. */}
        <div className="min-w-0 flex-1 basis-full sm:basis-0">
          <Breadcrumbs sandboxId={sandboxId} path={path} />
        </div>
        <Button size="sm" variant="outline" onClick={() => create('file')}>
          <FilePlus /> New file
        </Button>
        <Button size="sm" variant="outline" onClick={() => create('folder')}>
          <FolderPlus /> New folder
        </Button>
        <Button size="sm" variant="outline" onClick={() => picker.current?.click()}>
          <Upload /> Upload
        </Button>
        <input
          ref={picker}
          type="file"
          multiple
          aria-label="Upload files"
          className="sr-only"
          tabIndex={-1}
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            if (files.length) void uploads.upload(path, files);
          }}
        />
        <Button
          size="icon-sm"
          variant="ghost"
          aria-label="Refresh"
          disabled={list.isFetching && !list.isFetchingNextPage}
          onClick={() => void list.refetch()}
        >
          <RefreshCw className={cn(list.isFetching && 'animate-spin')} />
        </Button>
      </div>
      <UploadPanel items={uploads.items} onCancel={uploads.cancelAll} onClear={uploads.clear} />
      {actionError !== null && <ErrorAlert className="m-2" error={actionError} title="That did not work" />}
      <div className={cn('grid h-[70vh] min-h-80', file && 'lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]')}>
        <div className={cn('flex min-h-0 flex-col', file && 'hidden lg:flex lg:border-r')}>
          {list.isError ? (
            <ErrorAlert className="m-3" error={list.error} title={`Could not list ${path}`} />
          ) : !list.data ? (
            <div className="space-y-2 p-3" aria-busy="true" aria-label="Loading folder">
              <Skeleton className="h-8" />
              <Skeleton className="h-8" />
              <Skeleton className="h-8" />
            </div>
          ) : (
            <FileList
              files={files}
              total={total}
              more={
                list.hasNextPage
                  ? {
                      loading: list.isFetchingNextPage,
                      load: () => void list.fetchNextPage({ cancelRefetch: false }),
                    }
                  : undefined
              }
              sandboxId={sandboxId}
              folder={path}
              openFile={file}
              actions={actions}
            />
          )}
        </div>
        {file && (
          <FileViewer
            key={file}
            target={target}
            path={file}
            size={entry && !isDirectory(entry) ? entry.size : undefined}
            onClose={() => openFile(undefined)}
            onDownload={() => void download(file)}
          />
        )}
      </div>
      {dragging && (
        <div className="pointer-events-none absolute inset-0 flex items-center justify-center rounded-lg border-2 border-dashed border-primary bg-background/80 text-sm font-medium">
          Drop to upload into {path}
        </div>
      )}
      <NameDialog req={naming} onClose={() => setNaming(null)} />
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={`Delete ${deleting?.name ?? ''}?`}
        description={
          deleting && isDirectory(deleting)
            ? `${deleting.path} and everything in it will be deleted. This cannot be undone.`
            : `${deleting?.path ?? ''} will be deleted. This cannot be undone.`
        }
        confirmLabel="Delete"
        destructive
        onConfirm={() => {
          const f = deleting;
          setDeleting(null);
          if (!f) return;
          setActionError(null);
          void removePath(target, f.path)
            .then(() => {
              if (file && (file === f.path || file.startsWith(`${f.path}/`))) openFile(undefined);
              return refreshLists();
            })
            .catch(setActionError);
        }}
      />
    </section>
  );
}
