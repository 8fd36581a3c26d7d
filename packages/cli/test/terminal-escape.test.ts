/**
 * The CLI's one terminal escape: each class of character a terminal would act on, or that
 * reorders what it shows, is written as `\uXXXX`; everything else, and JSON, passes unchanged.
 */
import { describe, expect, it } from 'vitest';
import { escapeTerminal, needsEscape } from '../src/terminal-escape.js';

const CLASSES: ReadonlyArray<readonly [string, string, string]> = [
  ['ESC (CSI colour)', '\u001b[31mred', '\\u001b[31mred'],
  ['OSC window title ended by BEL', '\u001b]0;owned\u0007', '\\u001b]0;owned\\u0007'],
  ['CR (overwrites the line)', 'ok\rEVIL', 'ok\\u000dEVIL'],
  ['NUL and backspace', 'a\u0000b\bc', 'a\\u0000b\\u0008c'],
  ['DEL', 'x\u007fy', 'x\\u007fy'],
  ['C1 CSI (U+009B) and NEL (U+0085)', '\u009b31m\u0085', '\\u009b31m\\u0085'],
  ['bidi override U+202E', 'invoice\u202Efdp.exe', 'invoice\\u202efdp.exe'],
  ['bidi embeddings and isolates', '\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069', '\\u202a\\u202b\\u202c\\u202d\\u2066\\u2067\\u2068\\u2069'],
  ['bidi marks LRM, RLM, ALM', '\u200e\u200f\u061c', '\\u200e\\u200f\\u061c'],
  ['line and paragraph separators', 'a\u2028b\u2029', 'a\\u2028b\\u2029'],
  ['lone surrogates', 'a\ud800b\udc00', 'a\\ud800b\\udc00'],
  ['newline and tab in one-line mode', 'a\nb\tc', 'a\\u000ab\\u0009c'],
];

describe('escapeTerminal', () => {
  for (const [name, raw, escaped] of CLASSES) {
    it(`escapes ${name}`, () => {
      expect(escapeTerminal(raw)).toBe(escaped);
      expect(needsEscape(raw)).toBe(true);
    });
  }

  it('leaves printable text alone: ASCII, accents, CJK, emoji (a valid surrogate pair), backslashes', () => {
    const text = 'key-abc alias/backup café 密钥 🔑 C:\\path';
    expect(escapeTerminal(text)).toBe(text);
    expect(needsEscape(text)).toBe(false);
  });

  it('keeps newlines and tabs in multiline mode, and nothing else', () => {
    expect(escapeTerminal('a\n\tb\u001b\r', { multiline: true })).toBe('a\n\tb\\u001b\\u000d');
  });

  it('keeps JSON valid and equal in value', () => {
    const value = { d: '\u009b\u202e\u007f\u2066x', k: ['\u001b', '\ud800'] };
    const json = escapeTerminal(JSON.stringify(value, null, 2), { multiline: true });
    expect(needsEscape(json.replace(/\n/g, ''))).toBe(false);
    expect(JSON.parse(json)).toEqual(value);
  });
});
