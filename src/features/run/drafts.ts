/**
 * The editor's draft per sandbox, kept in localStorage so it survives a reload. Only the code and
 * its language are stored: never tokens, keys or outputs.
 */
import { LANGUAGES, type Language } from '@contract/schemas';

export interface Draft {
  code: string;
  language: Language;
}

const PREFIX = 'hopdeck:run-draft:';
/** Drafts larger than this are not saved (localStorage is small and shared by the whole origin). */
export const MAX_DRAFT_CHARS = 200_000;

export const draftKey = (sandboxId: string) => `${PREFIX}${sandboxId}`;

export function loadDraft(sandboxId: string): Draft | null {
  try {
    const raw = localStorage.getItem(draftKey(sandboxId));
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<Draft>;
    if (typeof v.code !== 'string' || !LANGUAGES.includes(v.language as Language)) return null;
    return { code: v.code, language: v.language as Language };
  } catch {
    return null;
  }
}

export function saveDraft(sandboxId: string, draft: Draft): void {
  if (draft.code.length > MAX_DRAFT_CHARS) return;
  try {
    localStorage.setItem(draftKey(sandboxId), JSON.stringify({ code: draft.code, language: draft.language }));
  } catch {
    // storage full or unavailable: the draft lasts for this page only
  }
}

export const STARTER_CODE: Record<Language, string> = {
  python: 'print("Hello from Hopdeck")\n',
  javascript: 'console.log("Hello from Hopdeck");\n',
  bash: 'echo "Hello from Hopdeck"\n',
};

/** The runtime to start with for a template's `language` field (e.g. nodejs → javascript). */
export function languageForTemplate(templateLanguage: string | undefined, templateName: string): Language {
  const l = (templateLanguage ?? '').toLowerCase();
  if (l === 'javascript' || l === 'nodejs' || l === 'node' || l === 'typescript') return 'javascript';
  if (l === 'bash' || l === 'shell' || l === 'sh') return 'bash';
  if (l === 'python' || l === 'python3') return 'python';
  if (/node/.test(templateName)) return 'javascript';
  if (/ubuntu|bash|shell/.test(templateName)) return 'bash';
  return 'python';
}
