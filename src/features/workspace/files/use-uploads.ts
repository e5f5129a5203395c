/**
 * Uploads dropped or picked files into a folder, two at a time, each streamed by the browser with
 * its progress; the panel shows the overall progress and any failure with the engine's error.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';
import type { AgentTarget } from '@/api/agent';
import { fileKeys, uploadFile } from '@/api/files';
import { joinPath } from './paths';

export interface UploadItem {
  id: number;
  name: string;
  size: number;
  loaded: number;
  state: 'queued' | 'uploading' | 'done' | 'failed' | 'cancelled';
  error?: unknown;
}

const PARALLEL = 2;
let nextId = 1;

export function useUploads(target: AgentTarget) {
  const client = useQueryClient();
  const [items, setItems] = useState<UploadItem[]>([]);
  const aborts = useRef(new Map<number, AbortController>());
  const cancelled = useRef(new Set<number>());

  const patch = useCallback(
    (id: number, p: Partial<UploadItem>) =>
      setItems((list) => list.map((it) => (it.id === id ? { ...it, ...p } : it))),
    [],
  );

  const upload = useCallback(
    async (folder: string, files: File[]) => {
      const queued = files.map((f) => ({
        file: f,
        item: { id: nextId++, name: f.name, size: f.size, loaded: 0, state: 'queued' as const },
      }));
      setItems((list) => [...list.filter((i) => i.state !== 'done'), ...queued.map((q) => q.item)]);
      let index = 0;
      const worker = async () => {
        while (index < queued.length) {
          const next = queued[index++];
          if (!next) break;
          const { file, item } = next;
          if (cancelled.current.has(item.id)) continue;
          const ctrl = new AbortController();
          aborts.current.set(item.id, ctrl);
          patch(item.id, { state: 'uploading' });
          try {
            await uploadFile(
              target,
              file,
              joinPath(folder, file.name),
              (loaded) => patch(item.id, { loaded }),
              ctrl.signal,
            );
            patch(item.id, { state: 'done', loaded: file.size });
          } catch (error) {
            const cancelled = error instanceof DOMException && error.name === 'AbortError';
            patch(item.id, { state: cancelled ? 'cancelled' : 'failed', error });
          } finally {
            aborts.current.delete(item.id);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL, queued.length) }, worker));
      await client.invalidateQueries({ queryKey: fileKeys.lists(target.id) });
    },
    [client, patch, target],
  );

  const cancelAll = useCallback(() => {
    for (const c of aborts.current.values()) c.abort();
    setItems((list) =>
      list.map((i) => {
        if (i.state !== 'queued') return i;
        cancelled.current.add(i.id);
        return { ...i, state: 'cancelled' };
      }),
    );
  }, []);

  const clear = useCallback(
    () => setItems((list) => list.filter((i) => i.state === 'uploading' || i.state === 'queued')),
    [],
  );

  return { items, upload, cancelAll, clear };
}
