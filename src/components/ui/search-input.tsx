import { Search } from 'lucide-react';
import { useEffect, useState } from 'react';
import { SEARCH_DEBOUNCE_MS } from '@/api/intervals';
import { cn } from '@/lib/cn';
import { Input } from './input';

/**
 * A search box whose value lives in the URL: typing updates a local draft, and the draft is
 * committed after a pause (one navigation and one request per pause, not per key). `data-list-search`
 * lets the `/` shortcut focus it.
 */
export function SearchInput({
  value,
  onCommit,
  label,
  placeholder,
  delay = SEARCH_DEBOUNCE_MS,
  className,
}: {
  value: string;
  onCommit: (value: string) => void;
  label: string;
  placeholder: string;
  delay?: number;
  className?: string;
}) {
  const [draft, setDraft] = useState(value);
  const [seen, setSeen] = useState(value);
  // The URL changed under us (back button, "clear filters"): show it. Adjusting state while
  // rendering is React's documented way to reset state from a prop.
  if (value !== seen) {
    setSeen(value);
    setDraft(value);
  }
  useEffect(() => {
    if (draft === value) return;
    const t = setTimeout(() => onCommit(draft), delay);
    return () => clearTimeout(t);
  }, [draft, value, onCommit, delay]);

  return (
    <div className={cn('relative w-full sm:w-64', className)}>
      <Search
        className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-muted-foreground"
        aria-hidden
      />
      <Input
        data-list-search
        type="search"
        aria-label={label}
        placeholder={placeholder}
        className="pl-8"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
      />
    </div>
  );
}
