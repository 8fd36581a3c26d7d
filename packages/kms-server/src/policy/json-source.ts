/**
 * A small JSON parser that keeps where each value starts, so that a policy file's errors can name
 * the line and column of the offending statement, action or resource. It accepts exactly RFC 8259
 * JSON (what `JSON.parse` accepts) and refuses duplicate object keys, which `JSON.parse` would
 * silently resolve to the last one.
 *
 * @module
 */

/** A parsed value and the offset of its first character in the source. */
export type JsonNode =
  | { readonly kind: 'object'; readonly at: number; readonly entries: ReadonlyMap<string, JsonNode> }
  | { readonly kind: 'array'; readonly at: number; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly at: number; readonly value: string }
  | { readonly kind: 'other'; readonly at: number; readonly value: number | boolean | null };

/** A syntax error at `offset`. */
export class JsonSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'JsonSyntaxError';
    this.offset = offset;
  }
}

/**
 * `JSON.stringify(value)` with the characters a terminal could act on that JSON leaves as is
 * (DEL, C1 controls, line and paragraph separators) escaped too: safe to print or log.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** 1-based line and column of `offset` in `text`. */
export function positionOf(text: string, offset: number): { readonly line: number; readonly column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS: ReadonlyArray<readonly [string, boolean | null]> = [
  ['true', true],
  ['false', false],
  ['null', null],
];
/** Nesting deeper than a policy needs is refused before it can exhaust the stack. */
const MAX_DEPTH = 32;

/** Parses `text`; throws {@link JsonSyntaxError} with the offset of the first problem. */
export function parseJsonSource(text: string): JsonNode {
  let i = 0;
  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(message, at);
  };
  const skip = (): void => {
    while (i < text.length && WHITESPACE.has(text[i]!)) i++;
  };
  const expect = (ch: string): void => {
    skip();
    if (text[i] !== ch) fail(i < text.length ? `expected '${ch}'` : `expected '${ch}' before the end of the file`);
    i++;
  };

  const string = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    for (;;) {
      const ch = text[i];
      if (ch === undefined) fail('unterminated string', start);
      if (ch === '"') break;
      if (ch! < ' ') fail('control character in a string');
      if (ch === '\\') {
        const esc = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (esc !== undefined && esc in simple) {
          out += simple[esc];
          i += 2;
        } else if (esc === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          fail('invalid escape in a string');
        }
      } else {
        out += ch;
        i++;
      }
    }
    i++; // closing quote
    return out;
  };

  const value = (depth: number): JsonNode => {
    if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`);
    skip();
    const at = i;
    const ch = text[i];
    if (ch === '{') {
      i++;
      const entries = new Map<string, JsonNode>();
      skip();
      if (text[i] === '}') {
        i++;
        return { kind: 'object', at, entries };
      }
      for (;;) {
        skip();
        if (text[i] !== '"') fail('expected a member name in double quotes');
        const keyAt = i;
        const key = string();
        if (entries.has(key)) fail(`duplicate member ${safeJson(key)}`, keyAt);
        expect(':');
        entries.set(key, value(depth + 1));
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect('}');
        return { kind: 'object', at, entries };
      }
    }
    if (ch === '[') {
      i++;
      const items: JsonNode[] = [];
      skip();
      if (text[i] === ']') {
        i++;
        return { kind: 'array', at, items };
      }
      for (;;) {
        items.push(value(depth + 1));
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect(']');
        return { kind: 'array', at, items };
      }
    }
    if (ch === '"') return { kind: 'string', at, value: string() };
    for (const [word, literal] of LITERALS) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return { kind: 'other', at, value: literal };
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m === null) return fail(ch === undefined ? 'unexpected end of the file' : 'unexpected character');
    i += m[0].length;
    return { kind: 'other', at, value: Number(m[0]) };
  };

  const root = value(0);
  skip();
  if (i < text.length) fail('unexpected text after the end of the JSON value');
  return root;
}
