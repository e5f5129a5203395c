/**
 * One rich output (a MIME bundle entry from the kernel), rendered without trusting it: images as data
 * URLs in <img> (an SVG in <img> runs no script), markdown through DOMPurify, JSON as a tree, text as
 * text, and HTML only inside the sandboxed frame on the frames origin.
 */
import { useMemo } from 'react';
import { Download } from 'lucide-react';
import DOMPurify from 'dompurify';
import { marked } from 'marked';
import type { RichOutput } from '@contract/schemas';
import { HtmlFrame } from './html-frame';
import { JsonTree } from './json-tree';
import { richPayload } from './rich-payload';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const IMAGE_MIMES = new Set(['image/png', 'image/jpeg', 'image/gif']);
/** Bundle entries that duplicate a richer one of the same output (plotly also sends text/html). */
const NOT_SHOWN = new Set(['application/vnd.plotly.v1+json', 'application/javascript']);

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('');
  return JSON.stringify(value, null, 2) ?? '';
}

let hooked = false;
function sanitizeMarkdown(md: string): string {
  if (!hooked) {
    hooked = true;
    // Markdown may reference remote images; only inline data images are shown.
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'IMG' && !/^data:image\//i.test(node.getAttribute('src') ?? '')) {
        node.removeAttribute('src');
      }
      if (node.tagName === 'A') {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      }
    });
  }
  const html = marked.parse(md, { async: false, gfm: true });
  return DOMPurify.sanitize(html, { FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea'] });
}

function Markdown({ source }: { source: string }) {
  const html = useMemo(() => sanitizeMarkdown(source), [source]);
  return (
    <div
      className="markdown-output"
      // Sanitised by DOMPurify just above; this is the only HTML the dashboard's own DOM receives.
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}

/** An image with a download link (the data URL is saved as a file; nothing is fetched). */
function ImageOutput({ src, alt, ext }: { src: string; alt: string; ext: string }) {
  return (
    <figure className="group relative inline-block max-w-full">
      <img src={src} alt={alt} className="max-w-full rounded bg-white" />
      <figcaption>
        <a
          href={src}
          download={`output.${ext === 'jpeg' ? 'jpg' : ext}`}
          className="mt-1 inline-flex items-center gap-1 text-xs text-muted-foreground underline-offset-4 outline-none hover:text-foreground hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/60"
        >
          <Download className="size-3" aria-hidden /> Download{' '}
          {ext === 'svg+xml' || ext === 'svg' ? 'SVG' : 'image'}
        </a>
      </figcaption>
    </figure>
  );
}

function Notice({ children }: { children: React.ReactNode }) {
  return <div className="text-xs text-muted-foreground italic">{children}</div>;
}

export function RichOutputView({
  output,
  framesOrigin,
}: {
  output: RichOutput;
  framesOrigin: string | null;
}) {
  const value = richPayload(output);
  const type = output.type.toLowerCase();

  if (IMAGE_MIMES.has(type)) {
    const b64 = typeof value === 'string' ? value.replace(/\s+/g, '') : '';
    if (!BASE64.test(b64)) return <Notice>An image output could not be decoded.</Notice>;
    return <ImageOutput src={`data:${type};base64,${b64}`} alt="Image output" ext={type.slice(6)} />;
  }
  if (type === 'image/svg+xml') {
    const svg = asText(value);
    return (
      <ImageOutput
        src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`}
        alt="SVG output"
        ext="svg"
      />
    );
  }
  if (type === 'text/html') {
    if (!framesOrigin)
      return <Notice>HTML output cannot be shown: the engine reports no frames origin.</Notice>;
    return <HtmlFrame html={asText(value)} framesOrigin={framesOrigin} />;
  }
  if (type === 'text/markdown') return <Markdown source={asText(value)} />;
  if (type === 'application/json' || type === 'application/vnd.dataframe+json') {
    return <JsonTree value={typeof value === 'string' ? safeJson(value) : value} />;
  }
  if (NOT_SHOWN.has(type)) return null;
  if (type.startsWith('text/')) {
    return <pre className="font-mono text-xs whitespace-pre-wrap">{asText(value)}</pre>;
  }
  return <Notice>Output of type {output.type} is not shown.</Notice>;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
