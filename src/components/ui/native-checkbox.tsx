import { useEffect, useRef, type ComponentProps } from 'react';
import { cn } from '@/lib/cn';

/**
 * A native checkbox (cheap to mount: used once per table row), with an `indeterminate` state for
 * "some selected" headers.
 */
export function NativeCheckbox({
  className,
  indeterminate = false,
  ...props
}: Omit<ComponentProps<'input'>, 'type'> & { indeterminate?: boolean }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate;
  }, [indeterminate]);
  return (
    <input
      ref={ref}
      type="checkbox"
      data-slot="checkbox"
      className={cn(
        'size-4 cursor-pointer rounded-[4px] accent-primary outline-none focus-visible:ring-[3px] focus-visible:ring-ring/60',
        className,
      )}
      {...props}
    />
  );
}
