/** The folder's path as links, each one level up. */
import { Link } from '@tanstack/react-router';
import { crumbs } from './paths';

export function Breadcrumbs({ sandboxId, path }: { sandboxId: string; path: string }) {
  const list = crumbs(path);
  return (
    <nav aria-label="Folder path" className="min-w-0 overflow-x-auto">
      <ol className="flex items-center gap-1 font-mono text-sm whitespace-nowrap">
        {list.map((c, i) => (
          <li key={c.path} className="flex items-center gap-1">
            {i > 1 && (
              <span aria-hidden className="text-muted-foreground">
                /
              </span>
            )}
            {i === list.length - 1 ? (
              <span aria-current="location" className="font-medium">
                {c.name}
              </span>
            ) : (
              <Link
                to="/sandboxes/$id/files"
                params={{ id: sandboxId }}
                search={{ path: c.path }}
                className="rounded text-muted-foreground underline-offset-4 outline-none hover:text-foreground hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/60"
              >
                {c.name}
              </Link>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}
