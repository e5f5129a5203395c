/** A collapsible JSON tree for application/json outputs (text nodes only). */
const MAX_CHILDREN = 200;
const MAX_DEPTH = 20;

function Scalar({ value }: { value: unknown }) {
  if (value === null) return <span className="text-fuchsia-600 dark:text-fuchsia-400">null</span>;
  if (typeof value === 'string')
    return <span className="text-green-700 dark:text-green-400">{JSON.stringify(value)}</span>;
  if (typeof value === 'number' || typeof value === 'boolean') {
    return <span className="text-blue-700 dark:text-blue-400">{String(value)}</span>;
  }
  return <span>{String(value)}</span>;
}

function Node({ name, value, depth }: { name: string | null; value: unknown; depth: number }) {
  const label = name !== null ? <span className="text-muted-foreground">{name}: </span> : null;
  if (value === null || typeof value !== 'object') {
    return (
      <div className="pl-4">
        {label}
        <Scalar value={value} />
      </div>
    );
  }
  const isArray = Array.isArray(value);
  const entries = isArray ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as object);
  const summary = isArray
    ? `Array(${entries.length})`
    : `{${entries.length} ${entries.length === 1 ? 'key' : 'keys'}}`;
  if (depth >= MAX_DEPTH) {
    return (
      <div className="pl-4">
        {label}
        <span className="text-muted-foreground">{summary} …</span>
      </div>
    );
  }
  return (
    <details className="pl-4" open={depth < 2}>
      <summary className="cursor-pointer select-none">
        {label}
        <span className="text-muted-foreground">{summary}</span>
      </summary>
      {entries.slice(0, MAX_CHILDREN).map(([k, v]) => (
        <Node key={k} name={k} value={v} depth={depth + 1} />
      ))}
      {entries.length > MAX_CHILDREN && (
        <div className="pl-4 text-muted-foreground">… {entries.length - MAX_CHILDREN} more</div>
      )}
    </details>
  );
}

export function JsonTree({ value }: { value: unknown }) {
  return (
    <div className="-ml-4 font-mono text-xs" role="tree" aria-label="JSON output">
      <Node name={null} value={value} depth={0} />
    </div>
  );
}
