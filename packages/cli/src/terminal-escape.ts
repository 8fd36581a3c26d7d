/**
 * The one escape of the CLI for text it prints that came from a file, a KMS answer or the user:
 * key ids, aliases, descriptions, context values, KMS error messages, file names. A terminal
 * obeys control characters (ESC sequences recolour, retitle or rewrite the screen, CR overwrites
 * a line) and bidi controls reorder what is shown (U+202E makes `txt.exe` look like `exe.txt`),
 * so each such character is printed as a `\uXXXX` escape instead.
 *
 * The escape is JSON's, so escaping JSON text keeps it valid JSON with the same value.
 *
 * @module
 */

/**
 * Characters a terminal would act on or that change how text is shown: C0 controls, DEL, C1
 * controls (U+0080-U+009F, e.g. U+009B = CSI), the bidi controls (U+061C, U+200E, U+200F,
 * U+202A-U+202E, U+2066-U+2069), the line and paragraph separators U+2028/U+2029, and lone
 * surrogates (no character at all).
 */
const CONTROLS = '\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069';
const LONE_SURROGATE = '[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const UNSAFE_IN_LINE = new RegExp(`[\\u0000-\\u001f${CONTROLS}]|${LONE_SURROGATE}`, 'g');
/** The same, but newline and tab pass: for text printed on purpose as several lines. */
const UNSAFE_IN_BLOCK = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f${CONTROLS}]|${LONE_SURROGATE}`, 'g');

function escapeOne(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Options of {@link escapeTerminal}. */
export interface EscapeOptions {
  /** Keep newlines and tabs (the text is meant to span several lines). Default: escape them too. */
  readonly multiline?: boolean;
}

/** `text` with every character that a terminal would act on written as `\uXXXX`. */
export function escapeTerminal(text: string, options: EscapeOptions = {}): string {
  return text.replace(options.multiline === true ? UNSAFE_IN_BLOCK : UNSAFE_IN_LINE, escapeOne);
}

/** Whether {@link escapeTerminal} would change `text` (in one-line mode). */
export function needsEscape(text: string): boolean {
  UNSAFE_IN_LINE.lastIndex = 0;
  return UNSAFE_IN_LINE.test(text);
}
