/** Copy to the clipboard and say so: `copied` is true for a moment after a copy succeeded. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { toast } from 'sonner';

export function useCopied(): [boolean, (text: string, what?: string) => void] {
  const [copied, setCopied] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  const copy = useCallback((text: string, what?: string) => {
    navigator.clipboard.writeText(text).then(
      () => {
        setCopied(true);
        if (what) toast.success(`Copied ${what}`);
        if (timer.current) clearTimeout(timer.current);
        timer.current = setTimeout(() => setCopied(false), 1500);
      },
      () => toast.error('Could not copy: the clipboard is not available here.'),
    );
  }, []);
  return [copied, copy];
}
