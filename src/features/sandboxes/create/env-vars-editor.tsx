import { ClipboardPaste, Plus, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { envVarProblem } from '@contract/schemas';
import { parseDotenv } from '@/lib/dotenv';
import { DotenvPasteArea } from '@/components/ui/dotenv-paste';

export interface EnvRow {
  key: string;
  value: string;
}

/** Key/value rows for environment variables, plus pasting a whole .env file. */
export function EnvVarsEditor({ rows, onChange }: { rows: EnvRow[]; onChange: (rows: EnvRow[]) => void }) {
  const [pasting, setPasting] = useState(false);
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<string[]>([]);
  // The engine's own rule (contract/schemas.ts): a name is a shell identifier, a value has no NUL.
  const problems = rows.map((r) => (r.key === '' ? null : envVarProblem(r.key, r.value)));
  const firstProblem = problems.find((p) => p !== null);
  const set = (i: number, patch: Partial<EnvRow>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  const importText = () => {
    const parsed = parseDotenv(text);
    setErrors(parsed.errors.map((e) => `Line ${e.line}: ${e.message}`));
    const merged = rows.filter((r) => r.key && !parsed.entries.some((e) => e.key === r.key));
    onChange([...merged, ...parsed.entries]);
    if (parsed.errors.length === 0) {
      setText('');
      setPasting(false);
    }
  };

  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium">Environment variables</legend>
      {rows.map((r, i) => {
        const bad = problems[i] != null;
        return (
          <div key={i} className="flex items-center gap-2">
            <Input
              aria-label={`Variable ${i + 1} name`}
              aria-invalid={bad}
              placeholder="NAME"
              className="font-mono"
              value={r.key}
              onChange={(e) => set(i, { key: e.target.value })}
            />
            <Input
              aria-label={`Variable ${i + 1} value`}
              placeholder="value"
              className="font-mono"
              value={r.value}
              onChange={(e) => set(i, { value: e.target.value })}
            />
            <Button
              variant="ghost"
              size="icon"
              aria-label={`Remove variable ${r.key || i + 1}`}
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
            >
              <Trash2 />
            </Button>
          </div>
        );
      })}
      {firstProblem && <p className="text-xs text-destructive">{firstProblem}</p>}
      <div className="flex flex-wrap gap-2">
        <Button variant="outline" size="sm" onClick={() => onChange([...rows, { key: '', value: '' }])}>
          <Plus /> Add variable
        </Button>
        <Button variant="outline" size="sm" aria-expanded={pasting} onClick={() => setPasting((p) => !p)}>
          <ClipboardPaste /> Paste .env
        </Button>
      </div>
      {pasting && (
        <div className="space-y-2">
          <DotenvPasteArea text={text} onTextChange={setText} errors={errors} />
          <Button size="sm" onClick={importText} disabled={!text.trim()}>
            Add these variables
          </Button>
        </div>
      )}
    </fieldset>
  );
}
