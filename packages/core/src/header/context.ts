/**
 * The encryption context and the CTX bytes it binds into every key (DESIGN.md, "Key schedule"):
 *
 * ```
 * CTX = "dek/v1" | 0x00 | suite | 0x00 | for each pair sorted by key bytes: u32be(len k) | k | u32be(len v) | v
 * ```
 *
 * CTX is the context of the chunked payload, and SHA-256(CTX) is the KMS `Aad` of every slot.
 *
 * @module
 */
import type { SuiteName } from '../chunked/index.js';
import { ArgumentError } from '../errors.js';
import { defaultHashes } from '../hashes/hashes.js';
import { isSuiteName, MAX_CONTEXT_BYTES, MAX_CONTEXT_PAIRS } from './limits.js';
import { compareBytes, isWellFormed, utf8Encode } from './utf8.js';

/**
 * Non-secret key/value strings bound to a message: the same context is needed to decrypt it.
 * At most {@link MAX_CONTEXT_PAIRS} pairs and {@link MAX_CONTEXT_BYTES} UTF-8 bytes (keys plus
 * values); keys are non-empty, values may be empty; no lone surrogates. Only own enumerable
 * string keys count (`__proto__` as an own key is an ordinary key).
 */
export type EncryptionContext = Readonly<Record<string, string>>;

/** One context pair with its UTF-8 bytes. */
export interface ContextEntry {
  readonly key: string;
  readonly value: string;
  readonly keyBytes: Uint8Array;
  readonly valueBytes: Uint8Array;
}

const CTX_LABEL = utf8Encode('dek/v1');

/**
 * Checks a caller's context and returns its pairs sorted by key bytes (ArgumentError, field
 * `context`, on any violation).
 */
export function contextEntries(context: EncryptionContext): ContextEntry[] {
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw new ArgumentError('context must be an object of strings', { field: 'context' });
  }
  const keys = Object.keys(context);
  if (keys.length > MAX_CONTEXT_PAIRS) {
    throw new ArgumentError(`context has ${keys.length} pairs, more than ${MAX_CONTEXT_PAIRS}`, { field: 'context', limit: MAX_CONTEXT_PAIRS });
  }
  let total = 0;
  const entries: ContextEntry[] = [];
  for (const key of keys) {
    const value: unknown = context[key];
    if (key === '') throw new ArgumentError('context keys must not be empty', { field: 'context', key });
    if (typeof value !== 'string') throw new ArgumentError('context values must be strings', { field: 'context', key });
    if (!isWellFormed(key) || !isWellFormed(value)) {
      throw new ArgumentError('context strings must not contain lone surrogates', { field: 'context', key });
    }
    const keyBytes = utf8Encode(key);
    const valueBytes = utf8Encode(value);
    total += keyBytes.length + valueBytes.length;
    if (total > MAX_CONTEXT_BYTES) {
      throw new ArgumentError(`context is longer than ${MAX_CONTEXT_BYTES} bytes`, { field: 'context', limit: MAX_CONTEXT_BYTES });
    }
    entries.push({ key, value, keyBytes, valueBytes });
  }
  // Distinct object keys have distinct UTF-8 bytes, so this order is total.
  return entries.sort((a, b) => compareBytes(a.keyBytes, b.keyBytes));
}

/** CTX from already checked, sorted pairs. */
export function encodeContextEntries(suite: SuiteName, entries: readonly ContextEntry[]): Uint8Array {
  const suiteBytes = utf8Encode(suite);
  let length = CTX_LABEL.length + 1 + suiteBytes.length + 1;
  for (const e of entries) length += 8 + e.keyBytes.length + e.valueBytes.length;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  out.set(CTX_LABEL, 0);
  let at = CTX_LABEL.length + 1; // then 0x00
  out.set(suiteBytes, at);
  at += suiteBytes.length + 1; // then 0x00
  for (const e of entries) {
    view.setUint32(at, e.keyBytes.length);
    out.set(e.keyBytes, at + 4);
    at += 4 + e.keyBytes.length;
    view.setUint32(at, e.valueBytes.length);
    out.set(e.valueBytes, at + 4);
    at += 4 + e.valueBytes.length;
  }
  return out;
}

/**
 * The CTX bytes of a suite and context: the chunked-encryption context of the payload.
 * Throws ArgumentError (field `suite` or `context`) on an unknown suite or a bad context.
 */
export function encodeContext(suite: SuiteName, context: EncryptionContext): Uint8Array {
  if (!isSuiteName(suite)) throw new ArgumentError('unknown suite', { field: 'suite' });
  return encodeContextEntries(suite, contextEntries(context));
}

/** The KMS `Aad` of every slot: SHA-256(CTX), 32 bytes. */
export function kmsAad(ctx: Uint8Array): Uint8Array {
  if (!(ctx instanceof Uint8Array)) throw new ArgumentError('ctx must be a Uint8Array', { field: 'ctx' });
  return defaultHashes().sha256(ctx);
}
