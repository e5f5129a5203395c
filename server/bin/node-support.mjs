// Which Node.js versions Hopdeck supports: package.json "engines".node, caret ranges joined by
// "||" (e.g. "^20.19 || ^22.12 || ^24"). Plain JavaScript without dependencies, in syntax old Nodes
// parse, so that `npm start` can say so before doing anything else.

/** @param {string} v "20.19", "v24.1.0" → [20, 19, 0] (missing parts are 0). */
function parts(v) {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(v.trim());
  if (!m) throw new Error('not a version: ' + v);
  return [Number(m[1]), Number(m[2] || 0), Number(m[3] || 0)];
}

function compare(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

/** "^20.19 || ^22.12 || ^24" → [[20, 19, 0], [22, 12, 0], [24, 0, 0]], lowest first. */
export function parseEngines(range) {
  return range
    .split('||')
    .map((r) => {
      const t = r.trim();
      if (t[0] !== '^') throw new Error('engines.node: only ^ ranges joined by || are understood: ' + range);
      return parts(t.slice(1));
    })
    .sort(compare);
}

/** "20.19+, 22.12+ or 24" */
export function describeEngines(range) {
  const names = parseEngines(range).map((p) =>
    p[1] || p[2] ? p.slice(0, p[2] ? 3 : 2).join('.') + '+' : String(p[0]),
  );
  return names.length > 1 ? names.slice(0, -1).join(', ') + ' or ' + names[names.length - 1] : names[0];
}

/**
 * Where `version` stands against `range`: 'supported'; 'newer' (a major above every supported
 * one: untested, allowed with a warning); 'unsupported' (older than the lowest supported, below
 * the minimum of its own line, or an odd line in between).
 */
export function nodeSupport(version, range) {
  const v = parts(version);
  const mins = parseEngines(range);
  const line = mins.find((m) => m[0] === v[0]);
  if (line) return compare(v, line) >= 0 ? 'supported' : 'unsupported';
  return v[0] > mins[mins.length - 1][0] ? 'newer' : 'unsupported';
}

/** The line `npm start` prints for `version`, or null when it is supported. */
export function nodeSupportMessage(version, range) {
  const status = nodeSupport(version, range);
  const want = describeEngines(range);
  const v = version.replace(/^v/, '');
  if (status === 'supported') return null;
  if (status === 'newer')
    return (
      'hopdeck: warning: Node.js ' +
      v +
      ' is newer than the versions Hopdeck is tested on (' +
      want +
      '); continuing, but if something fails, use one of those.'
    );
  return (
    'hopdeck: Node.js ' +
    v +
    ' is not supported. Hopdeck runs on Node.js ' +
    want +
    ' (package.json engines: "' +
    range +
    '"). Install one of them (for example `nvm install 24`) and run it again.'
  );
}
