/** URL search params of the templates catalog. */
import { z } from 'zod';

export const TEMPLATE_PAGE_SIZE = 12;

export const templateListSearchSchema = z.object({
  category: z.string().max(64).optional().catch(undefined),
  language: z.string().max(64).optional().catch(undefined),
  /** `local` or an upstream's name (decision 0014). */
  backend: z.string().max(64).optional().catch(undefined),
  q: z.string().max(200).optional().catch(undefined),
  page: z.number().int().min(1).max(1000).optional().catch(undefined),
});
export type TemplateListSearch = z.infer<typeof templateListSearchSchema>;
