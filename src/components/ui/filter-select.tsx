/** A list filter as a native select: "All …" (no filter) plus one option per value, kept in the URL by the caller. */
import { NativeSelect } from './input';

export interface FilterOption {
  value: string;
  label?: string;
}

export function FilterSelect({
  label,
  allLabel,
  value,
  options,
  onChange,
}: {
  /** The accessible name, e.g. "Region filter". */
  label: string;
  /** The no-filter choice, e.g. "All regions". */
  allLabel: string;
  value: string | undefined;
  options: readonly (string | FilterOption)[];
  onChange: (value: string | undefined) => void;
}) {
  const opts = options.map((o) => (typeof o === 'string' ? { value: o } : o));
  return (
    <NativeSelect
      aria-label={label}
      className="w-auto"
      value={value ?? ''}
      onChange={(e) => onChange(e.target.value || undefined)}
    >
      <option value="">{allLabel}</option>
      {/* A value from the URL that is not (or not yet) among the options still shows as chosen. */}
      {value && !opts.some((o) => o.value === value) && <option value={value}>{value}</option>}
      {opts.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label ?? o.value}
        </option>
      ))}
    </NativeSelect>
  );
}
