// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvVarsEditor, type EnvRow } from './env-vars-editor';

let latest: EnvRow[] = [];
function Harness({ initial }: { initial: EnvRow[] }) {
  const [rows, setRows] = useState(initial);
  const onChange = (next: EnvRow[]) => {
    latest = next;
    setRows(next);
  };
  return <EnvVarsEditor rows={rows} onChange={onChange} />;
}

afterEach(cleanup);

describe('EnvVarsEditor', () => {
  it('adds rows from a pasted .env file, replacing keys already present', () => {
    render(<Harness initial={[{ key: 'A', value: 'old' }]} />);
    fireEvent.click(screen.getByRole('button', { name: 'Paste .env' }));
    fireEvent.change(screen.getByLabelText('.env file contents'), {
      target: { value: '# comment\nA=new\nexport B="two words"\n' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Add these variables' }));
    expect(latest).toEqual([
      { key: 'A', value: 'new' },
      { key: 'B', value: 'two words' },
    ]);
    expect(screen.getByLabelText('Variable 2 name')).toHaveValue('B');
    expect(screen.queryByLabelText('.env file contents')).toBeNull();
  });

  it('keeps the paste box open and lists the lines it could not read', () => {
    render(<Harness initial={[]} />);
    fireEvent.click(screen.getByRole('button', { name: 'Paste .env' }));
    fireEvent.change(screen.getByLabelText('.env file contents'), { target: { value: 'OK=1\nbroken line' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add these variables' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Line 2: expected KEY=value');
    expect(latest).toEqual([{ key: 'OK', value: '1' }]);
  });

  it('flags a value the engine would refuse (a NUL byte) with the engine message', () => {
    render(<Harness initial={[{ key: 'OK', value: 'a\u0000b' }]} />);
    expect(screen.getByText(/cannot contain a NUL byte/)).toBeInTheDocument();
    expect(screen.getByLabelText('Variable 1 name')).toHaveAttribute('aria-invalid', 'true');
  });

  it('flags invalid names and removes rows', () => {
    latest = [{ key: '1BAD', value: 'x' }];
    render(<Harness initial={latest} />);
    expect(screen.getByLabelText('Variable 1 name')).toHaveAttribute('aria-invalid', 'true');
    fireEvent.click(screen.getByRole('button', { name: 'Remove variable 1BAD' }));
    expect(latest).toEqual([]);
  });
});
