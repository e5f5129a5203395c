/**
 * The sandbox's filesystem through its agent (`/files/*`, api-digest §5.9): listing, reading bytes,
 * writing, upload with progress, mkdir, rename and remove. Paths are absolute inside the sandbox.
 */
import { infiniteQueryOptions, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import {
  agentFetch,
  agentHttpUrl,
  agentRequest,
  agentToken,
  dropAgentToken,
  type AgentTarget,
} from './agent';
import { ApiError, toApiError } from './client';

export const fileKeys = {
  all: ['agent-files'] as const,
  sandbox: (sandboxId: string) => [...fileKeys.all, sandboxId] as const,
  lists: (sandboxId: string) => [...fileKeys.sandbox(sandboxId), 'list'] as const,
  list: (sandboxId: string, path: string) => [...fileKeys.lists(sandboxId), path] as const,
  content: (sandboxId: string, path: string) => [...fileKeys.sandbox(sandboxId), 'content', path] as const,
};

export const FileInfo = z.looseObject({
  name: z.string(),
  path: z.string(),
  size: z.number(),
  is_directory: z.boolean().optional(),
  is_dir: z.boolean().optional(),
  modified_time: z.string().nullish(),
  permissions: z.string().nullish(),
});
export type FileInfo = z.infer<typeof FileInfo>;
export const isDirectory = (f: FileInfo) => f.is_directory ?? f.is_dir ?? false;

const FileList = z.looseObject({
  files: z.array(FileInfo),
  total: z.number().optional(),
  has_more: z.boolean().optional(),
  next_cursor: z.string().nullish(),
});
const FileResponse = z.looseObject({ path: z.string().optional(), size: z.number().optional() });
const CommandReply = z.looseObject({ exit_code: z.number(), stderr: z.string() });

/** Entries per page of a listing; the next page is fetched when the person scrolls near the end. */
export const LIST_PAGE_SIZE = 1000;

/** Folders first, then by name. */
function order(a: FileInfo, b: FileInfo) {
  const d = Number(isDirectory(b)) - Number(isDirectory(a));
  return d !== 0 ? d : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

const q = (path: string) => `path=${encodeURIComponent(path)}`;

/**
 * A folder's entries, page by page (the agent pages by name: `limit`, `cursor`, `has_more`,
 * `next_cursor`, `total`; an agent without paging answers everything as one page).
 */
export function fileListQueryOptions(target: AgentTarget, path: string) {
  return infiniteQueryOptions({
    queryKey: fileKeys.list(target.id, path),
    queryFn: ({ pageParam, signal }) =>
      agentRequest(
        target,
        `/files/list?${q(path)}&limit=${LIST_PAGE_SIZE}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`,
        { schema: FileList, signal },
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.has_more && last.next_cursor ? last.next_cursor : undefined),
  });
}

/** Folders first, then by name, over the pages loaded so far. */
export function listedEntries(pages: { files: FileInfo[] }[]): FileInfo[] {
  return pages.flatMap((p) => p.files).sort(order);
}

/** The file's bytes (`/files/download`). */
export async function readFileBytes(target: AgentTarget, path: string, signal?: AbortSignal) {
  const res = await agentFetch(target, `/files/download?${q(path)}`, { signal });
  return new Uint8Array(await res.arrayBuffer());
}

export function writeTextFile(target: AgentTarget, path: string, content: string, overwrite = true) {
  return agentRequest(target, '/files/write', {
    method: 'POST',
    body: { path, content, overwrite },
    schema: FileResponse,
  });
}

export function makeFolder(target: AgentTarget, path: string) {
  return agentRequest(target, '/files/mkdir', { method: 'POST', body: { path }, schema: FileResponse });
}

export function removePath(target: AgentTarget, path: string) {
  return agentRequest(target, `/files/remove?${q(path)}`, { method: 'DELETE', schema: FileResponse });
}

export async function pathExists(target: AgentTarget, path: string): Promise<boolean> {
  const r = await agentRequest(target, `/files/exists?${q(path)}`, {
    schema: z.looseObject({ exists: z.boolean() }),
  });
  return r.exists;
}

/**
 * Renames or moves. The agent has no move endpoint, so this runs `mv` with its arguments exec'd
 * (no shell, so no quoting issue) and refuses to replace an existing entry.
 */
export async function renamePath(target: AgentTarget, from: string, to: string) {
  if (await pathExists(target, to)) {
    throw new ApiError({ status: 409, code: 'FILE_ALREADY_EXISTS', message: `${to} already exists.` });
  }
  const r = await agentRequest(target, '/commands/run', {
    method: 'POST',
    body: { command: 'mv', args: ['-n', '--', from, to], timeout: 30 },
    schema: CommandReply,
  });
  if (r.exit_code !== 0) {
    throw new ApiError({
      status: 400,
      code: 'FILE_OPERATION_FAILED',
      message: r.stderr.trim() || 'mv failed',
    });
  }
}

/**
 * Uploads one file (multipart, `/files/upload`) with progress. XMLHttpRequest, because fetch has
 * no upload progress; the browser streams the File from disk, so a large file is never read into
 * memory here.
 */
export async function uploadFile(
  target: AgentTarget,
  file: Blob,
  destination: string,
  onProgress: (loaded: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const attempt = (token: string) =>
    new Promise<XMLHttpRequest>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', agentHttpUrl(target.public_host, '/files/upload'));
      xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      xhr.upload.onprogress = (e) => onProgress(e.loaded);
      xhr.onload = () => resolve(xhr);
      xhr.onerror = () =>
        reject(new ApiError({ status: 0, code: 'NETWORK_ERROR', message: 'Upload failed: network error.' }));
      xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
      signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      const form = new FormData();
      form.append('path', destination);
      form.append('file', file, destination.split('/').pop() || 'upload');
      xhr.send(form);
    });
  let xhr = await attempt(await agentToken(target));
  if (xhr.status === 401) {
    dropAgentToken(target.id);
    xhr = await attempt(await agentToken(target, { force: true }));
  }
  if (xhr.status < 200 || xhr.status >= 300) {
    const headers = new Headers();
    const rid = xhr.getResponseHeader('x-request-id');
    if (rid) headers.set('x-request-id', rid);
    throw await toApiError(new Response(xhr.responseText, { status: xhr.status, headers }));
  }
  onProgress(file.size);
}

/** Mutations that change a folder's listing invalidate every listing of the sandbox. */
export function useFileMutation<V>(target: AgentTarget, fn: (vars: V) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => client.invalidateQueries({ queryKey: fileKeys.lists(target.id) }),
  });
}

/** A file's bytes for the viewer; fetched when opened, never refetched behind the editor's back. */
export function fileBytesQueryOptions(target: AgentTarget, path: string) {
  return queryOptions({
    queryKey: fileKeys.content(target.id, path),
    queryFn: ({ signal }) => readFileBytes(target, path, signal),
    staleTime: Infinity,
    gcTime: 0,
  });
}

/** The file as a Blob, for saving to the person's disk (the browser may keep a large one on disk). */
export async function readFileBlob(target: AgentTarget, path: string) {
  const res = await agentFetch(target, `/files/download?${q(path)}`);
  return res.blob();
}
