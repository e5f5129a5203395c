/**
 * The open file: text in Monaco (saved with a check that nobody changed it meanwhile), images
 * previewed, anything else (binary, or too large to edit) as its size and a Download button.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Download, RotateCcw, Save, X } from 'lucide-react';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import type { AgentTarget } from '@/api/agent';
import { fileBytesQueryOptions, fileKeys, readFileBytes, writeTextFile } from '@/api/files';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/dialog';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Skeleton } from '@/components/ui/skeleton';
import { formatBytes } from '@/lib/format-bytes';
import { baseName, decodeText, editorLanguage, imageType } from './paths';

const FileEditor = lazy(() => import('./file-editor'));

/** Larger files are not loaded into the editor (download them instead). */
export const MAX_EDIT_BYTES = 5 * 1024 * 1024;
export const MAX_PREVIEW_BYTES = 20 * 1024 * 1024;

function ImagePreview({ bytes, type, name }: { bytes: Uint8Array; type: string; name: string }) {
  const url = useMemo(() => URL.createObjectURL(new Blob([bytes as BlobPart], { type })), [bytes, type]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <div className="flex min-h-0 flex-1 items-center justify-center overflow-auto bg-muted/30 p-4">
      <img src={url} alt={name} className="max-h-full max-w-full object-contain" />
    </div>
  );
}

export function FileViewer({
  target,
  path,
  size,
  onClose,
  onDownload,
}: {
  target: AgentTarget;
  path: string;
  size: number | undefined;
  onClose: () => void;
  onDownload: () => void;
}) {
  const client = useQueryClient();
  const image = imageType(path);
  const tooLarge = size !== undefined && size > (image ? MAX_PREVIEW_BYTES : MAX_EDIT_BYTES);
  const content = useQuery({ ...fileBytesQueryOptions(target, path), enabled: !tooLarge });
  const [version, setVersion] = useState(0);
  const [draft, setDraft] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const name = baseName(path);

  const text = content.data && !image ? decodeText(content.data) : null;
  const dirty = draft !== null && draft !== text;

  const write = async (value: string) => {
    setSaving(true);
    setSaveError(null);
    try {
      await writeTextFile(target, path, value);
      client.setQueryData(fileBytesQueryOptions(target, path).queryKey, new TextEncoder().encode(value));
      setDraft(null);
      void client.invalidateQueries({ queryKey: fileKeys.lists(target.id) });
    } catch (e) {
      setSaveError(e);
    } finally {
      setSaving(false);
    }
  };

  const save = async (value: string) => {
    if (saving) return;
    setSaveError(null);
    try {
      // Changed on disk since it was opened (another tab, the terminal, a program)? Ask first.
      const now = decodeText(await readFileBytes(target, path));
      if (now !== text) return setConflict(value);
    } catch {
      /* deleted meanwhile: saving recreates it */
    }
    await write(value);
  };

  const reload = () => {
    setDraft(null);
    setVersion((v) => v + 1);
    void client.resetQueries({ queryKey: fileBytesQueryOptions(target, path).queryKey });
  };

  let body;
  if (tooLarge || (content.data && !image && text === null)) {
    body = (
      <div className="flex flex-1 flex-col items-center justify-center gap-3 p-8 text-center text-sm">
        <p className="font-medium">{tooLarge ? 'This file is too large to open here' : 'Binary file'}</p>
        <p className="text-muted-foreground">{formatBytes(size ?? content.data?.length ?? 0)}</p>
        <Button variant="outline" onClick={onDownload}>
          <Download /> Download
        </Button>
      </div>
    );
  } else if (content.isError) {
    body = <ErrorAlert className="m-3" error={content.error} title={`Could not open ${name}`} />;
  } else if (!content.data) {
    body = <Skeleton className="m-3 h-40" aria-label="Loading file" />;
  } else if (image) {
    body = <ImagePreview bytes={content.data} type={image} name={name} />;
  } else {
    body = (
      <Suspense fallback={<div className="p-3 text-sm text-muted-foreground">Loading editor…</div>}>
        <FileEditor
          key={version}
          initial={text ?? ''}
          language={editorLanguage(path)}
          label={`Editor: ${name}`}
          onChange={setDraft}
          onSave={(v) => void save(v)}
        />
      </Suspense>
    );
  }

  const editable = !image && text !== null && !tooLarge;
  return (
    <section aria-label={`File ${name}`} className="flex min-h-0 flex-1 flex-col">
      <div className="flex flex-wrap items-center gap-2 border-b px-3 py-1.5">
        <h2 className="min-w-0 flex-1 truncate font-mono text-sm font-medium" title={path}>
          {name}
        </h2>
        {editable && (
          <span role="status" className="text-xs text-muted-foreground">
            {saving ? 'Saving…' : dirty ? 'Unsaved changes' : 'Saved'}
          </span>
        )}
        {editable && (
          <Button size="sm" disabled={!dirty || saving} onClick={() => draft !== null && void save(draft)}>
            <Save /> Save
          </Button>
        )}
        {editable && (
          <Button
            size="icon-sm"
            variant="ghost"
            aria-label="Reload from disk"
            title="Reload from disk"
            onClick={reload}
          >
            <RotateCcw />
          </Button>
        )}
        <Button size="icon-sm" variant="ghost" aria-label={`Download ${name}`} onClick={onDownload}>
          <Download />
        </Button>
        <Button size="icon-sm" variant="ghost" aria-label="Close file" onClick={onClose}>
          <X />
        </Button>
      </div>
      {saveError !== null && (
        <ErrorAlert className="m-2" error={saveError} title={`Could not save ${name}`} />
      )}
      <div className="flex min-h-0 flex-1 flex-col">{body}</div>
      <ConfirmDialog
        open={conflict !== null}
        onOpenChange={(o) => !o && setConflict(null)}
        title="The file changed since you opened it"
        description={`${path} was changed on the sandbox after you opened it. Saving replaces those changes with yours; Cancel keeps them (use "Reload from disk" to see them).`}
        confirmLabel="Overwrite"
        destructive
        onConfirm={() => {
          const value = conflict;
          setConflict(null);
          if (value !== null) void write(value);
        }}
      />
    </section>
  );
}
