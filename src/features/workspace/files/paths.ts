/** Small helpers for absolute sandbox paths (POSIX). */

export function parentOf(path: string): string {
  const i = path.replace(/\/+$/, '').lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.replace(/\/+$/, '').split('/').pop() || '/';
}

export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir.replace(/\/+$/, '')}/${name}`;
}

/** Crumbs of a folder: [{name:'/', path:'/'}, {name:'workspace', path:'/workspace'}, …]. */
export function crumbs(path: string): { name: string; path: string }[] {
  const parts = path.split('/').filter(Boolean);
  return [
    { name: '/', path: '/' },
    ...parts.map((name, i) => ({ name, path: `/${parts.slice(0, i + 1).join('/')}` })),
  ];
}

/** Why a new name is not acceptable, or null. */
export function nameProblem(name: string): string | null {
  if (!name.trim()) return 'Enter a name.';
  if (name.includes('/')) return 'A name cannot contain "/".';
  if (name === '.' || name === '..') return 'Choose another name.';
  if (name.includes('\0')) return 'A name cannot contain a NUL byte.';
  if (new TextEncoder().encode(name).length > 255) return 'The name is too long (255 bytes at most).';
  return null;
}

const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  ico: 'image/x-icon',
  // Shown through <img>, where an SVG runs no script.
  svg: 'image/svg+xml',
};

const extension = (path: string) => baseName(path).split('.').pop()?.toLowerCase() ?? '';

export function imageType(path: string): string | null {
  return IMAGE_TYPES[extension(path)] ?? null;
}

/** Monaco language for a file (only the languages bundled in src/lib/monaco.ts; others are plain text). */
export function editorLanguage(path: string): string {
  const ext = extension(path);
  if (ext === 'py') return 'python';
  if (['js', 'mjs', 'cjs', 'jsx', 'ts', 'tsx'].includes(ext)) return 'javascript';
  if (['sh', 'bash', 'zsh'].includes(ext) || baseName(path) === '.bashrc') return 'shell';
  return 'plaintext';
}

/** Text if the bytes are UTF-8 without NUL bytes; otherwise null (shown as binary). */
export function decodeText(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
