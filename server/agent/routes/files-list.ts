/**
 * GET /files/list: one page of a directory, sorted by name. The HopX shape (`files`, `path`,
 * `count`) is unchanged; a directory larger than a page (default 1000 entries, `limit` up to
 * 10000) answers the first page with `truncated: true`, `has_more`, `total` and `next_cursor`
 * (pass it back as `cursor`). The directory is streamed: memory stays bounded by the page size,
 * whatever the number of entries (see 0008-hardening).
 */
import { lstat, opendir, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { rfc3339 } from '../../../contract/wire.ts';
import { fsError, queryPath, resolvedReal } from '../fs-guard.ts';
import { AgentError, nowIso, sendJson, type Router } from '../http.ts';
import type { AgentState } from '../state.ts';

export const LIST_DEFAULT_LIMIT = 1000;
export const LIST_MAX_LIMIT = 10_000;
const STAT_CONCURRENCY = 32;

function permString(mode: number, isDir: boolean): string {
  const bits = 'rwxrwxrwx';
  let s = isDir ? 'd' : '-';
  for (let i = 0; i < 9; i++) s += mode & (1 << (8 - i)) ? bits[i] : '-';
  return s;
}

function parseLimit(raw: string | null): number {
  if (raw === null || raw === '') return LIST_DEFAULT_LIMIT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > LIST_MAX_LIMIT)
    throw new AgentError(400, 'INVALID_REQUEST', `limit must be an integer from 1 to ${LIST_MAX_LIMIT}`);
  return n;
}

function parseCursor(raw: string | null): string | null {
  if (raw === null || raw === '') return null;
  const name = Buffer.from(raw, 'base64url').toString('utf8');
  if (name === '' || name.includes('/') || name.includes('\0'))
    throw new AgentError(400, 'INVALID_REQUEST', 'cursor is not one this agent gave out');
  return name;
}

/** Insert into a sorted array (code-unit order, like Array.prototype.sort) and keep at most `keep`. */
function insertBounded(page: string[], name: string, keep: number): void {
  if (page.length >= keep && name >= (page[page.length - 1] ?? '')) return;
  let lo = 0;
  let hi = page.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((page[mid] ?? '') < name) lo = mid + 1;
    else hi = mid;
  }
  page.splice(lo, 0, name);
  if (page.length > keep) page.pop();
}

async function entry(real: string, dir: string, name: string) {
  const full = posix.join(dir, name);
  const at = `${real}/${name}`;
  // A link is described by its target; a dangling one by the link itself.
  const st = await stat(at).catch(() => lstat(at).catch(() => null));
  if (!st) return null; // vanished meanwhile
  const modified = rfc3339(st.mtimeMs);
  const isDir = st.isDirectory();
  return {
    name,
    path: full,
    size: isDir ? 0 : st.size,
    is_directory: isDir,
    is_dir: isDir,
    modified_time: modified,
    modified,
    permissions: permString(st.mode, isDir),
    mode: (st.mode & 0o7777).toString(8).padStart(4, '0'),
  };
}

export function listRoute(router: Router, state: AgentState): void {
  router.on('GET', '/files/list', async (ctx) => {
    const path = queryPath(ctx, state.cfg.workdir);
    const limit = parseLimit(ctx.url.searchParams.get('limit'));
    const after = parseCursor(ctx.url.searchParams.get('cursor'));
    const page: string[] = [];
    let total = 0;
    let remaining = 0;
    let real: string;
    try {
      real = await resolvedReal(state.cfg, path);
      const dir = await opendir(real, { bufferSize: 256 });
      for await (const dirent of dir) {
        total += 1;
        if (after !== null && dirent.name <= after) continue;
        remaining += 1;
        insertBounded(page, dirent.name, limit);
      }
    } catch (err) {
      throw fsError(err, path);
    }
    const files = [];
    for (let i = 0; i < page.length; i += STAT_CONCURRENCY) {
      const batch = page.slice(i, i + STAT_CONCURRENCY).map((name) => entry(real, path, name));
      for (const e of await Promise.all(batch)) if (e) files.push(e);
    }
    const hasMore = remaining > page.length;
    const last = page[page.length - 1];
    sendJson(ctx, 200, {
      files,
      path,
      count: files.length,
      total,
      limit,
      truncated: hasMore,
      has_more: hasMore,
      next_cursor: hasMore && last !== undefined ? Buffer.from(last, 'utf8').toString('base64url') : null,
      ...(hasMore
        ? {
            message: `Showing ${page.length} of ${remaining} remaining entries; pass next_cursor as cursor for more`,
          }
        : {}),
      timestamp: nowIso(),
    });
  });
}
