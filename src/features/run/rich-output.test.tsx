// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnsiText } from './ansi-text';
import { RichOutputView } from './rich-output';

vi.hoisted(() => {
  // jsdom has no matchMedia; the theme module reads it at import.
  window.matchMedia ??= (query: string) =>
    ({
      matches: false,
      media: query,
      addEventListener() {},
      removeEventListener() {},
    }) as unknown as MediaQueryList;
});

afterEach(cleanup);
const FRAMES = 'http://127.0.0.1:7071';

describe('HTML outputs', () => {
  it('render in an iframe on the frames origin whose sandbox is exactly "allow-scripts"', () => {
    render(
      <RichOutputView
        output={{ type: 'text/html', format: 'html', data: '<table><tr><td>1</td></tr></table>' }}
        framesOrigin={FRAMES}
      />,
    );
    const frame = screen.getByTitle('HTML output') as HTMLIFrameElement;
    expect(frame.tagName).toBe('IFRAME');
    expect(frame.getAttribute('sandbox')).toBe('allow-scripts');
    expect(frame.getAttribute('src')).toBe(`${FRAMES}/frame.html`);
    // The HTML never reaches the dashboard's own DOM.
    expect(document.querySelector('table')).toBeNull();
  });

  it('take their height only from messages whose source is their own frame', () => {
    render(
      <RichOutputView
        output={{ type: 'text/html', format: 'html', data: '<p>x</p>' }}
        framesOrigin={FRAMES}
      />,
    );
    const frame = screen.getByTitle('HTML output') as HTMLIFrameElement;
    const before = frame.style.height;
    act(() => {
      window.dispatchEvent(
        new MessageEvent('message', { data: { type: 'hopdeck-height', height: 777 }, source: window }),
      );
    });
    expect(frame.style.height).toBe(before);
    act(() => {
      window.dispatchEvent(
        new MessageEvent('message', {
          data: { type: 'hopdeck-height', height: 333 },
          source: frame.contentWindow,
        }),
      );
    });
    expect(frame.style.height).toBe('333px');
  });
});

describe('other rich outputs', () => {
  it('shows PNG and SVG as data URLs in <img>, never inline SVG', () => {
    const { container } = render(
      <>
        <RichOutputView
          output={{ type: 'image/png', format: 'base64', data: 'iVBORw0KGgo=' }}
          framesOrigin={FRAMES}
        />
        <RichOutputView
          output={{
            type: 'image/svg+xml',
            format: 'text',
            data: '<svg onload="alert(1)"><script>alert(2)</script></svg>',
          }}
          framesOrigin={FRAMES}
        />
      </>,
    );
    const imgs = container.querySelectorAll('img');
    expect(imgs[0]?.getAttribute('src')).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect(imgs[1]?.getAttribute('src')).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg/);
    // The only inline SVGs are the dashboard's own icons, never the output's markup.
    expect(container.querySelector('svg:not(.lucide)')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
  });

  it('offers an image output as a download of the same data URL', () => {
    const { getByRole } = render(
      <RichOutputView
        output={{ type: 'image/png', format: 'base64', data: 'iVBORw0KGgo=' }}
        framesOrigin={FRAMES}
      />,
    );
    const link = getByRole('link', { name: 'Download image' });
    expect(link).toHaveAttribute('href', 'data:image/png;base64,iVBORw0KGgo=');
    expect(link).toHaveAttribute('download', 'output.png');
  });

  it('sanitises markdown: no scripts, no event handlers, no remote images', () => {
    const md =
      '# Title\n\n<img src="http://evil.example/x.png" onerror="alert(1)">\n\n<script>alert(1)</script>\n\n**bold**';
    const { container } = render(
      <RichOutputView output={{ type: 'text/markdown', format: 'text', data: md }} framesOrigin={FRAMES} />,
    );
    expect(container.querySelector('h1')?.textContent).toBe('Title');
    expect(container.querySelector('strong')?.textContent).toBe('bold');
    expect(container.querySelector('script')).toBeNull();
    const img = container.querySelector('img');
    expect(img?.getAttribute('onerror')).toBeNull();
    expect(img?.getAttribute('src')).toBeNull();
  });

  it('shows JSON as a collapsible tree', () => {
    render(
      <RichOutputView
        output={{ type: 'application/json', format: 'json', data: { a: [1, 2], b: 'x' } }}
        framesOrigin={FRAMES}
      />,
    );
    const tree = screen.getByRole('tree', { name: 'JSON output' });
    expect(tree.querySelectorAll('details').length).toBe(2);
    expect(tree.textContent).toContain('"x"');
  });
});

describe('ANSI text', () => {
  it('turns colours into spans and keeps markup as text', () => {
    const { container } = render(
      <pre>
        <AnsiText text={'\u001b[31mred\u001b[0m <img src=x onerror=alert(1)>'} />
      </pre>,
    );
    const span = container.querySelector('span');
    expect(span?.textContent).toBe('red');
    expect(span?.className).toContain('text-red-600');
    expect(container.querySelector('img')).toBeNull();
    expect(container.textContent).toBe('red <img src=x onerror=alert(1)>');
  });
});
