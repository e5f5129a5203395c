/** Starts a background execution (code) or command from the Processes tab. */
import { Play } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import type { AgentTarget } from '@/api/agent';
import { useStartBackground } from '@/api/processes';
import { Button } from '@/components/ui/button';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Input, Label, NativeSelect, Textarea } from '@/components/ui/input';
import { LANGUAGES, type Language } from '@contract/schemas';

type Kind = 'command' | Language;

export function StartForm({ target, disabled }: { target: AgentTarget; disabled: boolean }) {
  const start = useStartBackground(target);
  const [kind, setKind] = useState<Kind>('command');
  const [text, setText] = useState('');
  const [name, setName] = useState('');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    const job =
      kind === 'command'
        ? { kind: 'command' as const, command: text, name: name || undefined }
        : { kind: 'code' as const, code: text, language: kind, name: name || undefined };
    start.mutate(job, { onSuccess: () => setText('') });
  };

  return (
    <form onSubmit={submit} className="space-y-3 rounded-lg border p-4" aria-labelledby="start-bg-title">
      <h2 id="start-bg-title" className="text-sm font-semibold">
        Start in the background
      </h2>
      <div className="grid gap-3 sm:grid-cols-[10rem_minmax(0,1fr)]">
        <div className="grid gap-1.5">
          <Label htmlFor="bg-kind">Run as</Label>
          <NativeSelect id="bg-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            <option value="command">Shell command</option>
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {l[0]?.toUpperCase()}
                {l.slice(1)} code
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="bg-name">Name (optional)</Label>
          <Input id="bg-name" value={name} maxLength={256} onChange={(e) => setName(e.target.value)} />
        </div>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="bg-text">{kind === 'command' ? 'Command' : 'Code'}</Label>
        <Textarea
          id="bg-text"
          rows={3}
          value={text}
          placeholder={kind === 'command' ? 'python3 -m http.server 8000' : 'import time; time.sleep(60)'}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      {start.isError && <ErrorAlert error={start.error} title="Could not start it" />}
      <Button type="submit" disabled={disabled || start.isPending || !text.trim()}>
        <Play /> {start.isPending ? 'Starting…' : 'Start'}
      </Button>
    </form>
  );
}
