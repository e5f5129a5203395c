/** URL search params of the Files tab: the folder shown and the file open in the viewer. */
import { z } from 'zod';

export const DEFAULT_FOLDER = '/workspace';

const absolute = z.string().max(4096).regex(/^\//);

// `.catch`: a hand-edited link falls back to /workspace instead of failing.
export const filesSearchSchema = z.object({
  path: absolute.optional().catch(undefined),
  file: absolute.optional().catch(undefined),
});
export type FilesSearch = z.infer<typeof filesSearchSchema>;
