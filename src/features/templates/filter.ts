import type { Template } from '@contract/schemas';

/** Case-insensitive match on name, display name, description and tags. */
export function matchesQuery(t: Template, q: string | undefined): boolean {
  const needle = q?.trim().toLowerCase();
  if (!needle) return true;
  return [t.name, t.display_name, t.description, ...t.tags].some((f) => f.toLowerCase().includes(needle));
}

export function distinct(values: string[]): string[] {
  return [...new Set(values.filter(Boolean))].sort();
}
