// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { resolveTheme, useTheme } from './theme';

describe('theme', () => {
  it('resolves system to the OS preference', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
  });

  it('useTheme switches the document class, remembers the choice and forgets it for system', () => {
    const { result } = renderHook(() => useTheme());
    act(() => result.current.setTheme('dark'));
    expect(result.current).toMatchObject({ theme: 'dark', resolvedTheme: 'dark' });
    expect(document.documentElement.classList.contains('dark')).toBe(true);
    expect(localStorage.getItem('hopdeck-theme')).toBe('dark');

    act(() => result.current.setTheme('light'));
    expect(result.current.resolvedTheme).toBe('light');
    expect(document.documentElement.classList.contains('dark')).toBe(false);

    act(() => result.current.setTheme('system'));
    expect(result.current.theme).toBe('system');
    expect(localStorage.getItem('hopdeck-theme')).toBeNull();
  });
});
