/** Parses the text of a .env file into ordered key/value pairs, reporting lines it cannot read. */
export interface EnvParseResult {
  entries: { key: string; value: string }[];
  errors: { line: number; message: string }[];
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseDotenv(text: string): EnvParseResult {
  const entries: { key: string; value: string }[] = [];
  const errors: { line: number; message: string }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice(7).trimStart();
    const eq = line.indexOf('=');
    if (eq <= 0) {
      errors.push({ line: i + 1, message: 'expected KEY=value' });
      continue;
    }
    const key = line.slice(0, eq).trim();
    if (!KEY.test(key)) {
      errors.push({ line: i + 1, message: `invalid name "${key}"` });
      continue;
    }
    let value = line.slice(eq + 1).trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    } else if (quote === '"' || quote === "'") {
      errors.push({ line: i + 1, message: 'unterminated quote' });
      continue;
    } else {
      const hash = value.search(/\s#/);
      if (hash >= 0) value = value.slice(0, hash).trimEnd();
    }
    const existing = entries.findIndex((e) => e.key === key);
    if (existing >= 0) entries.splice(existing, 1);
    entries.push({ key, value });
  }
  return { entries, errors };
}

export function isValidEnvKey(key: string): boolean {
  return KEY.test(key);
}
