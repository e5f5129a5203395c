import type { RichOutput } from '@contract/schemas';

/** The value for the output's MIME type (`data` is the value itself, or a `{mime: value}` bundle). */
export function richPayload(output: RichOutput): unknown {
  const d = output.data;
  if (d && typeof d === 'object' && !Array.isArray(d) && output.type in d) {
    return (d as Record<string, unknown>)[output.type];
  }
  return d;
}
