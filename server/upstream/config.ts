/**
 * Upstream backends from `--upstream` / HOPDECK_UPSTREAM and their keys (decision 0014). Keys never
 * come from the command line: HOPX_API_KEY (the single or first upstream), HOPDECK_UPSTREAM_KEY_<NAME>,
 * or `--upstream-key-file` (lines `name=key`, not readable by group or others).
 */
import { readFileSync, statSync } from 'node:fs';

export const LOCAL_BACKEND = 'local';
/** The name of an upstream given without one (`--upstream https://api.hopx.dev`). */
export const UNNAMED_UPSTREAM = 'upstream';

export interface UpstreamConfig {
  name: string;
  /** Base URL without a trailing slash. */
  url: string;
  apiKey: string;
}

export class UpstreamConfigError extends Error {}

const NAME_RE = /^[a-z][a-z0-9-]{0,31}$/;
const KEY_RE = /^[\x21-\x7e]{1,512}$/;

function parseUrl(text: string, flag: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UpstreamConfigError(`${flag}: expected a URL like https://api.hopx.dev, got "${text}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new UpstreamConfigError(`${flag}: expected an http:// or https:// URL`);
  if (u.username || u.password)
    throw new UpstreamConfigError(
      `${flag}: put no key or password in the URL (use HOPX_API_KEY or a key file)`,
    );
  if (u.search || u.hash) throw new UpstreamConfigError(`${flag}: the URL takes no query or fragment`);
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

/** `name=key` lines; blank lines and `#` comments are skipped. Refuses a file others can read. */
export function readKeyFile(path: string): Map<string, string> {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (err) {
    throw new UpstreamConfigError(`--upstream-key-file: cannot read ${path} (${(err as Error).message})`);
  }
  if (mode & 0o077)
    throw new UpstreamConfigError(
      `--upstream-key-file: ${path} is readable by group or others; chmod 600 it`,
    );
  const keys = new Map<string, string>();
  readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const eq = line.indexOf('=');
      const name = eq > 0 ? line.slice(0, eq).trim() : '';
      const key = eq > 0 ? line.slice(eq + 1).trim() : '';
      // The line itself is never echoed: it holds a key.
      if (!NAME_RE.test(name) || !KEY_RE.test(key))
        throw new UpstreamConfigError(`--upstream-key-file: line ${i + 1} is not name=key`);
      keys.set(name, key);
    });
  return keys;
}

export const envKeyName = (name: string) => `HOPDECK_UPSTREAM_KEY_${name.toUpperCase().replace(/-/g, '_')}`;

/**
 * `specs`: every `--upstream` value, or the comma-separated HOPDECK_UPSTREAM. Each is `URL` or
 * `name=URL`; an unnamed one is called `upstream`.
 */
export function parseUpstreams(
  specs: string[],
  env: NodeJS.ProcessEnv,
  keyFile: string | undefined,
): UpstreamConfig[] {
  const entries = specs
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const fileKeys = keyFile ? readKeyFile(keyFile) : new Map<string, string>();
  const out: UpstreamConfig[] = [];
  for (const [i, entry] of entries.entries()) {
    const m = /^([A-Za-z][\w-]*)=(.+)$/.exec(entry);
    const name = m ? m[1]! : UNNAMED_UPSTREAM;
    const url = parseUrl(m ? m[2]! : entry, '--upstream');
    if (!NAME_RE.test(name))
      throw new UpstreamConfigError(
        `--upstream: backend name "${name}" must be lower-case letters, digits and -, up to 32`,
      );
    if (name === LOCAL_BACKEND) throw new UpstreamConfigError('--upstream: "local" is the engine itself');
    // HOPDECK_UPSTREAM_KEY_FILE is the key file's path, not the key of a backend called "file".
    if (name === 'file') throw new UpstreamConfigError('--upstream: "file" is reserved; choose another name');
    if (out.some((u) => u.name === name))
      throw new UpstreamConfigError(`--upstream: backend "${name}" is given twice (name them: name=URL)`);
    const apiKey = fileKeys.get(name) ?? env[envKeyName(name)] ?? (i === 0 ? env.HOPX_API_KEY : undefined);
    if (!apiKey)
      throw new UpstreamConfigError(
        `--upstream: no API key for backend "${name}": set ${i === 0 ? 'HOPX_API_KEY or ' : ''}` +
          `${envKeyName(name)}, or a line "${name}=<key>" in --upstream-key-file`,
      );
    if (!KEY_RE.test(apiKey))
      throw new UpstreamConfigError(`--upstream: the API key of "${name}" must be printable ASCII`);
    out.push({ name, url, apiKey });
  }
  return out;
}

/** `--default-backend`: `local` or an upstream's name; default the first upstream, else local. */
export function defaultBackend(given: string | undefined, upstreams: UpstreamConfig[]): string {
  if (given === undefined) return upstreams[0]?.name ?? LOCAL_BACKEND;
  if (given === LOCAL_BACKEND || upstreams.some((u) => u.name === given)) return given;
  throw new UpstreamConfigError(
    `--default-backend: "${given}" is not a backend (have: ${[LOCAL_BACKEND, ...upstreams.map((u) => u.name)].join(', ')})`,
  );
}
