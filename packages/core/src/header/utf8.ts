/**
 * Exact UTF-8 for the header: encoding refuses lone surrogates (which TextEncoder would silently
 * turn into U+FFFD) and decoding refuses malformed bytes and keeps a leading BOM.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** In `u` mode a surrogate class matches only unpaired surrogates. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Whether `text` is well-formed UTF-16, i.e. has an exact UTF-8 encoding. */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** UTF-8 bytes of a well-formed string (check {@link isWellFormed} first). */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Short ASCII strings (most header keys and ids) skip TextDecoder, which is slow on tiny inputs. */
const ASCII_FAST_PATH_MAX = 64;

/** Decodes UTF-8 strictly; `undefined` if the bytes are not valid UTF-8. */
export function utf8DecodeStrict(bytes: Uint8Array): string | undefined {
  if (bytes.length <= ASCII_FAST_PATH_MAX) {
    let text = '';
    for (const b of bytes) {
      if (b >= 0x80) {
        text = '';
        break;
      }
      text += String.fromCharCode(b);
    }
    if (text.length === bytes.length) return text;
  }
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Orders byte strings lexicographically (a proper prefix sorts first). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
