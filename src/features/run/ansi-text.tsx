/**
 * Program output with ANSI colours turned into styled spans, rendered as React text nodes: never
 * innerHTML, so output can never become markup.
 */
import { memo } from 'react';
import { ansiSegments } from './ansi';

export const AnsiText = memo(function AnsiText({ text }: { text: string }) {
  return (
    <>
      {ansiSegments(text).map((s, i) =>
        s.className || s.style ? (
          <span key={i} className={s.className} style={s.style}>
            {s.text}
          </span>
        ) : (
          s.text
        ),
      )}
    </>
  );
});
