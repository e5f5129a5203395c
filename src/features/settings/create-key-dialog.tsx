import { TriangleAlert } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useCreateApiKey } from '@/api/apiKeys';
import { Button } from '@/components/ui/button';
import { CopyButton } from '@/components/ui/copy-button';
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

/** Names a new key, then shows its secret once (it cannot be read again). */
export function CreateKeyDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (o: boolean) => void;
}) {
  const create = useCreateApiKey();
  const [name, setName] = useState('');
  const close = (o: boolean) => {
    if (o) return onOpenChange(true);
    onOpenChange(false);
    setName('');
    create.reset();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(name.trim());
  };
  const secret = create.data?.key;

  return (
    <Dialog open={open} onOpenChange={close}>
      <DialogContent>
        {secret ? (
          <>
            <DialogHeader>
              <DialogTitle>Key “{create.data?.name}” created</DialogTitle>
              <DialogDescription>Copy it now: it will not be shown again.</DialogDescription>
            </DialogHeader>
            <div className="flex items-center gap-2 rounded-lg border bg-muted p-2">
              <code className="min-w-0 flex-1 font-mono text-xs break-all" aria-label="New API key">
                {secret}
              </code>
              <CopyButton value={secret} label="Copy API key" />
            </div>
            <p className="flex items-center gap-2 text-xs text-muted-foreground">
              <TriangleAlert className="size-4 text-warning" aria-hidden /> Store it in a secret manager or an
              environment variable, never in code.
            </p>
            <DialogFooter>
              <Button onClick={() => close(false)}>Done</Button>
            </DialogFooter>
          </>
        ) : (
          <form onSubmit={submit} className="space-y-4">
            <DialogHeader>
              <DialogTitle>New API key</DialogTitle>
              <DialogDescription>Name it after the program or person that will use it.</DialogDescription>
            </DialogHeader>
            <div className="space-y-2">
              <Label htmlFor="key-name">Name</Label>
              <Input
                id="key-name"
                value={name}
                maxLength={64}
                onChange={(e) => setName(e.target.value)}
                placeholder="ci-pipeline"
                required
                autoFocus
              />
            </div>
            {create.isError && <ErrorAlert error={create.error} title="Could not create the key" />}
            <DialogFooter>
              <Button variant="outline" onClick={() => close(false)}>
                Cancel
              </Button>
              <Button type="submit" disabled={!name.trim() || create.isPending}>
                {create.isPending ? 'Creating…' : 'Create key'}
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
