/** Query parameters of list endpoints: limit, opaque cursors, filters and sort (400 when invalid). */
import { z } from 'zod';
import { SANDBOX_STATUSES, type SandboxStatus } from '../../../contract/schemas.ts';
import { badRequest, parseInput } from '../../errors.ts';
import type { SandboxQuery, SortKey } from '../../store/sandboxes.ts';

export const limitParam = (max: number, dflt: number) =>
  z
    .string()
    .regex(/^\d{1,4}$/, 'limit must be an integer')
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, `limit must be between 1 and ${max}`)
    .optional()
    .transform((n) => n ?? dflt);

const SandboxListParams = z.object({
  limit: limitParam(100, 100),
  cursor: z.string().max(512).optional(),
  status: z.string().max(200).optional(),
  region: z.string().max(64).optional(),
  template: z.string().max(128).optional(),
  q: z.string().max(128).optional(),
  sort: z.enum(['created_at', 'status', 'template_name']).default('created_at'),
  order: z.enum(['asc', 'desc']).optional(),
});

interface CursorBody {
  s: SortKey;
  o: 'asc' | 'desc';
  v: string;
  id: string;
}

export function encodeCursor(c: CursorBody): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(raw: string): CursorBody | null {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<CursorBody>;
    if (
      typeof c.v === 'string' &&
      typeof c.id === 'string' &&
      typeof c.s === 'string' &&
      typeof c.o === 'string'
    ) {
      return c as CursorBody;
    }
  } catch {
    // fall through
  }
  return null;
}

export function parseStatuses(raw: string | undefined): SandboxStatus[] | undefined {
  if (!raw) return undefined;
  const out = new Set<SandboxStatus>();
  for (const part of raw.split(',')) {
    const s = part.trim() === 'killed' ? 'deleted' : part.trim();
    if (!(SANDBOX_STATUSES as readonly string[]).includes(s)) {
      throw badRequest(`Invalid status filter "${part}": use ${SANDBOX_STATUSES.join(', ')}`);
    }
    out.add(s as SandboxStatus);
  }
  return [...out];
}

export function parseSandboxListQuery(query: unknown): SandboxQuery {
  const p = parseInput(SandboxListParams, query, 'query');
  const order = p.order ?? (p.sort === 'created_at' ? 'desc' : 'asc');
  let after: SandboxQuery['after'];
  if (p.cursor !== undefined) {
    const c = decodeCursor(p.cursor);
    if (!c || c.s !== p.sort || c.o !== order)
      throw badRequest('Invalid cursor (it does not belong to this listing)');
    after = { v: c.v, id: c.id };
  }
  return {
    statuses: parseStatuses(p.status),
    region: p.region,
    template: p.template,
    q: p.q,
    sort: p.sort,
    order,
    limit: p.limit,
    after,
  };
}

export const TemplateListParams = z.object({
  limit: limitParam(100, 50),
  cursor: z.string().max(512).optional(),
  category: z.string().max(64).optional(),
  language: z.string().max(64).optional(),
});

export const templateCursor = {
  encode: (name: string) => Buffer.from(`t:${name}`).toString('base64url'),
  decode: (raw: string): string => {
    const text = Buffer.from(raw, 'base64url').toString('utf8');
    if (!text.startsWith('t:') || text.length < 3) throw badRequest('Invalid cursor');
    return text.slice(2);
  },
};
