/**
 * Untrusted text/html output (pandas tables, plotly) rendered on the engine's frames origin inside
 * `<iframe sandbox="allow-scripts">` (never allow-same-origin), sized by the frame's height messages.
 * Only messages whose source is this iframe's window are accepted (docs/decisions/0001).
 */
import { useEffect, useRef, useState } from 'react';
import { useTheme } from '@/lib/theme';

export const FRAME_SANDBOX = 'allow-scripts';
const MIN_HEIGHT = 24;
const MAX_HEIGHT = 2_000;

export function HtmlFrame({ html, framesOrigin }: { html: string; framesOrigin: string }) {
  const ref = useRef<HTMLIFrameElement>(null);
  const ready = useRef(false);
  const sent = useRef<string | null>(null);
  const [height, setHeight] = useState(120);
  const { resolvedTheme } = useTheme();

  const renderRef = useRef<() => void>(() => {});

  useEffect(() => {
    const render = () => {
      const win = ref.current?.contentWindow;
      // Once per (html, theme): the ready message and the load event may both ask for it.
      if (!win || sent.current === `${resolvedTheme}:${html}`) return;
      sent.current = `${resolvedTheme}:${html}`;
      win.postMessage({ type: 'hopdeck-render', html, theme: resolvedTheme }, '*');
    };
    renderRef.current = render;
    const onMessage = (event: MessageEvent) => {
      const frame = ref.current?.contentWindow;
      if (!frame || event.source !== frame) return;
      const data: unknown = event.data;
      if (!data || typeof data !== 'object') return;
      const msg = data as { type?: unknown; height?: unknown };
      if (msg.type === 'hopdeck-frame-ready') {
        ready.current = true;
        render();
      } else if (
        msg.type === 'hopdeck-height' &&
        typeof msg.height === 'number' &&
        Number.isFinite(msg.height)
      ) {
        setHeight(Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(msg.height))));
      }
    };
    window.addEventListener('message', onMessage);
    if (ready.current) render(); // theme changed after the first render
    return () => window.removeEventListener('message', onMessage);
  }, [html, resolvedTheme]);

  return (
    <iframe
      ref={ref}
      title="HTML output"
      sandbox={FRAME_SANDBOX}
      src={`${framesOrigin.replace(/\/+$/, '')}/frame.html`}
      referrerPolicy="no-referrer"
      onLoad={() => {
        // The frame's script runs before `load`; render even if its ready message was missed.
        ready.current = true;
        renderRef.current();
      }}
      className="block w-full rounded border-0 bg-transparent"
      style={{ height }}
    />
  );
}
