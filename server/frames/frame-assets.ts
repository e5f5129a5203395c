/**
 * The page that renders untrusted `text/html` outputs (pandas tables, plotly) on the frames origin,
 * inside `<iframe sandbox="allow-scripts">` of the dashboard. Protocol (docs/decisions/0001):
 * frame → parent `{type:"hopdeck-frame-ready"}`; parent → frame `{type:"hopdeck-render", html, theme?}`;
 * frame → parent `{type:"hopdeck-height", height}`.
 */

/** Keeps a dashboard origin list safe to place in a CSP header and an HTML attribute. */
export function normaliseOrigins(origins: string[]): string[] {
  const out = new Set<string>();
  for (const raw of origins) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`frames: not an origin: ${JSON.stringify(raw)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`frames: dashboard origin must be http(s): ${JSON.stringify(raw)}`);
    }
    out.add(url.origin);
  }
  return [...out];
}

/**
 * Scripts may run (plotly-like outputs carry inline scripts), but nothing may leave the frame:
 * no fetch/XHR/WebSocket, no external images, fonts or forms, and only the dashboard may embed it.
 */
export function framesCsp(dashboardOrigins: string[]): string {
  const ancestors = dashboardOrigins.length > 0 ? dashboardOrigins.join(' ') : "'none'";
  return [
    "default-src 'none'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
    "style-src 'self' 'unsafe-inline'",
    'img-src data: blob:',
    'font-src data:',
    'media-src data: blob:',
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
    "object-src 'none'",
    "worker-src 'none'",
    "frame-src 'none'",
    `frame-ancestors ${ancestors}`,
  ].join('; ');
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function frameHtml(dashboardOrigins: string[]): string {
  const parents = escapeAttr(JSON.stringify(dashboardOrigins));
  return `<!doctype html>
<html lang="en" data-parents="${parents}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hopdeck output</title>
<link rel="stylesheet" href="/frame.css">
<script src="/frame.js" defer></script>
</head>
<body><div id="root"></div></body>
</html>
`;
}

export const FRAME_CSS = `:root { color-scheme: light; font: 13px/1.45 ui-sans-serif, system-ui, sans-serif; color: #111827; }
:root[data-theme="dark"] { color-scheme: dark; color: #e5e7eb; }
html, body { margin: 0; padding: 0; background: transparent; }
#root { padding: 4px 2px; overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid rgba(127, 127, 127, 0.35); padding: 2px 8px; text-align: right; }
thead th { background: rgba(127, 127, 127, 0.12); }
`;

export const FRAME_JS = `(function () {
  'use strict';
  var parents = [];
  try { parents = JSON.parse(document.documentElement.getAttribute('data-parents') || '[]'); } catch (e) { parents = []; }
  var lastHeight = -1;
  function report() {
    // The content's own height: the document's scrollHeight never drops below the frame's current
    // height, so a frame could grow but never shrink to fit (blank space under a small table).
    var height = Math.ceil(document.getElementById('root').getBoundingClientRect().height);
    if (height === lastHeight) return;
    lastHeight = height;
    window.parent.postMessage({ type: 'hopdeck-height', height: height }, '*');
  }
  window.addEventListener('message', function (event) {
    if (event.source !== window.parent) return;
    if (parents.length > 0 && parents.indexOf(event.origin) === -1) return;
    var data = event.data;
    if (!data || data.type !== 'hopdeck-render' || typeof data.html !== 'string') return;
    document.documentElement.setAttribute('data-theme', data.theme === 'dark' ? 'dark' : 'light');
    var root = document.getElementById('root');
    // A contextual fragment (unlike innerHTML) runs the output's scripts, as a notebook would.
    root.replaceChildren(document.createRange().createContextualFragment(data.html));
    report();
  });
  if (typeof ResizeObserver === 'function') new ResizeObserver(report).observe(document.getElementById('root'));
  window.addEventListener('load', report);
  window.parent.postMessage({ type: 'hopdeck-frame-ready' }, '*');
})();
`;
