/** The output of a run as plain text (for "Copy output"): streams and text outputs, no escapes. */
import Anser from 'anser';
import type { OutputItem } from './output-model';
import { richPayload } from './rich-payload';

const plain = (text: string) => Anser.ansiToText(text);

export function outputAsText(items: readonly OutputItem[]): string {
  return items
    .map((item) => {
      switch (item.kind) {
        case 'stdout':
        case 'stderr':
          return plain(item.text);
        case 'error':
          return `${item.code}: ${plain(item.message)}\n`;
        case 'notice':
          return `${item.text}\n`;
        case 'rich': {
          const value = richPayload(item.output);
          const textual = item.output.type.startsWith('text/') && item.output.type !== 'text/html';
          return textual && typeof value === 'string' ? `${value}\n` : `[${item.output.type} output]\n`;
        }
      }
    })
    .join('');
}
