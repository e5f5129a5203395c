/** Adding (or editing) one variable, and importing a pasted .env file; validated like the create dialog. */
import { ClipboardPaste } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Input, Label } from '@/components/ui/input';
import { DotenvPasteArea } from '@/components/ui/dotenv-paste';
import { parseDotenv } from '@/lib/dotenv';
import { envVarProblem } from '@contract/schemas';

/** The create dialog's rules (the engine's own schema, from the contract). */
function envProblem(key: string, value: string): string | null {
  if (!key) return 'Enter a name.';
  return envVarProblem(key, value);
}

export function VariableForm({
  initial = { key: '', value: '' },
  submitLabel,
  busy,
  onSubmit,
  onCancel,
  idPrefix,
}: {
  initial?: { key: string; value: string };
  submitLabel: string;
  busy: boolean;
  onSubmit: (key: string, value: string) => void;
  onCancel?: () => void;
  idPrefix: string;
}) {
  const [key, setKey] = useState(initial.key);
  const [value, setValue] = useState(initial.value);
  const [touched, setTouched] = useState(false);
  const problem = envProblem(key, value);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!problem) onSubmit(key, value);
  };
  return (
    <form
      onSubmit={submit}
      className="grid gap-2 sm:grid-cols-[minmax(0,1fr)_minmax(0,2fr)_auto] sm:items-end"
    >
      <div className="grid gap-1.5">
        <Label htmlFor={`${idPrefix}-key`}>Name</Label>
        <Input
          id={`${idPrefix}-key`}
          className="font-mono"
          placeholder="API_URL"
          value={key}
          aria-invalid={touched && !!problem}
          aria-describedby={touched && problem ? `${idPrefix}-problem` : undefined}
          onChange={(e) => setKey(e.target.value)}
        />
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor={`${idPrefix}-value`}>Value</Label>
        <Input
          id={`${idPrefix}-value`}
          className="font-mono"
          value={value}
          autoComplete="off"
          onChange={(e) => setValue(e.target.value)}
        />
      </div>
      <div className="flex gap-2">
        <Button type="submit" disabled={busy}>
          {submitLabel}
        </Button>
        {onCancel && (
          <Button type="button" variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        )}
      </div>
      {touched && problem && (
        <p id={`${idPrefix}-problem`} className="text-xs text-destructive sm:col-span-3">
          {problem}
        </p>
      )}
    </form>
  );
}

export function DotenvImport({
  busy,
  onImport,
}: {
  busy: boolean;
  onImport: (vars: Record<string, string>) => void;
}) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<string[]>([]);
  const submit = () => {
    const parsed = parseDotenv(text);
    const problems = parsed.errors.map((e) => `Line ${e.line}: ${e.message}`);
    for (const e of parsed.entries) {
      const p = envProblem(e.key, e.value);
      if (p) problems.push(`${e.key}: ${p}`);
    }
    setErrors(problems);
    if (problems.length || parsed.entries.length === 0) return;
    onImport(Object.fromEntries(parsed.entries.map((e) => [e.key, e.value])));
    setText('');
    setOpen(false);
  };
  return (
    <div className="space-y-2">
      <Button variant="outline" size="sm" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        <ClipboardPaste /> Paste .env
      </Button>
      {open && (
        <div className="space-y-2">
          <DotenvPasteArea text={text} onTextChange={setText} errors={errors} />
          <Button size="sm" onClick={submit} disabled={busy || !text.trim()}>
            Add these variables
          </Button>
        </div>
      )}
    </div>
  );
}
