/** Asks for a name (new file, new folder, rename) and runs the action, showing the engine's error. */
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from '@/components/ui/dialog';
import { ErrorAlert } from '@/components/ui/error-alert';
import { Input, Label } from '@/components/ui/input';
import { nameProblem } from './paths';

export interface NameRequest {
  title: string;
  description: string;
  confirm: string;
  initial: string;
  run: (name: string) => Promise<unknown>;
}

function NameForm({ req, onDone }: { req: NameRequest; onDone: () => void }) {
  const [name, setName] = useState(req.initial);
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const problem = nameProblem(name);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (problem) return;
    setBusy(true);
    setError(null);
    try {
      await req.run(name);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} className="grid gap-4">
      <div className="grid gap-2">
        <Label htmlFor="entry-name">Name</Label>
        <Input
          id="entry-name"
          autoFocus
          className="font-mono"
          value={name}
          aria-invalid={touched && !!problem}
          aria-describedby={touched && problem ? 'entry-name-problem' : undefined}
          onChange={(e) => setName(e.target.value)}
          onFocus={(e) => {
            // Select the name without its extension, like file managers do.
            const dot = e.target.value.lastIndexOf('.');
            e.target.setSelectionRange(0, dot > 0 ? dot : e.target.value.length);
          }}
        />
        {touched && problem && (
          <p id="entry-name-problem" className="text-xs text-destructive">
            {problem}
          </p>
        )}
      </div>
      {error !== null && <ErrorAlert error={error} title="That did not work" />}
      <DialogFooter>
        <Button type="submit" disabled={busy}>
          {req.confirm}
        </Button>
      </DialogFooter>
    </form>
  );
}

export function NameDialog({ req, onClose }: { req: NameRequest | null; onClose: () => void }) {
  return (
    <Dialog open={req !== null} onOpenChange={(o) => !o && onClose()}>
      {req && (
        <DialogContent>
          <DialogHeader>
            <DialogTitle>{req.title}</DialogTitle>
            <DialogDescription>{req.description}</DialogDescription>
          </DialogHeader>
          <NameForm req={req} onDone={onClose} />
        </DialogContent>
      )}
    </Dialog>
  );
}
