/**
 * Typed access to the string parameters of an OpenAPI request. Every bad value becomes the
 * gateway's 400 `MissingParameter` / `InvalidParameter` naming the parameter.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { invalidParameter, missingParameter } from '../api-error.js';
import type { Param } from './signature.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const INTEGER = /^(?:0|[1-9]\d{0,9})$/;

/** Largest `EncryptionContext` accepted, in characters of JSON. */
const MAX_ENCRYPTION_CONTEXT_LENGTH = 8192;

/** The parameters of one request (query and form body together; each name at most once). */
export class Params {
  readonly #values: ReadonlyMap<string, string>;

  /** Throws `InvalidParameter` when a name is given twice. */
  constructor(params: readonly Param[]) {
    const values = new Map<string, string>();
    for (const [name, value] of params) {
      if (values.has(name)) throw invalidParameter(name, 'It is given more than once.');
      values.set(name, value);
    }
    this.#values = values;
  }

  /** The value, or undefined when absent (an empty value counts as absent). */
  optional(name: string): string | undefined {
    const value = this.#values.get(name);
    return value === '' ? undefined : value;
  }

  /** The value; `MissingParameter` when absent. */
  required(name: string): string {
    const value = this.optional(name);
    if (value === undefined) throw missingParameter(name);
    return value;
  }

  /** A decimal integer in `[min, max]`, or `fallback` when absent. */
  integer(name: string, min: number, max: number, fallback?: number): number {
    const text = this.optional(name);
    if (text === undefined) {
      if (fallback === undefined) throw missingParameter(name);
      return fallback;
    }
    const value = INTEGER.test(text) ? Number(text) : Number.NaN;
    if (!(value >= min && value <= max)) throw invalidParameter(name, `It must be an integer from ${min} to ${max}.`);
    return value;
  }

  /** `true` / `false`, or `fallback` when absent. */
  boolean(name: string, fallback?: boolean): boolean {
    const text = this.optional(name);
    if (text === undefined) {
      if (fallback === undefined) throw missingParameter(name);
      return fallback;
    }
    if (text !== 'true' && text !== 'false') throw invalidParameter(name, 'It must be true or false.');
    return text === 'true';
  }

  /** One of `allowed`, or `fallback` when absent. */
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T {
    const text = this.optional(name);
    if (text === undefined) {
      if (fallback === undefined) throw missingParameter(name);
      return fallback;
    }
    if (!(allowed as readonly string[]).includes(text)) throw invalidParameter(name);
    return text as T;
  }

  /** Standard padded base64, decoded (at most `maxBytes`); undefined when absent. */
  base64(name: string, maxBytes: number): Uint8Array | undefined {
    const text = this.optional(name);
    if (text === undefined) return undefined;
    if (text.length > Math.ceil(maxBytes / 3) * 4) throw invalidParameter(name, `It decodes to more than ${maxBytes} bytes.`);
    if (!BASE64.test(text)) throw invalidParameter(name, 'It is not base64.');
    return new Uint8Array(Buffer.from(text, 'base64'));
  }

  /**
   * The GCM AAD an `EncryptionContext` stands for, as Alibaba's transfer SDKs compute it:
   * `SHA-256` of the `k=v` pairs, sorted by key, joined with `&`. Undefined when absent or `{}`.
   * The value must be a JSON object of strings.
   */
  encryptionContextAad(name: string): Uint8Array | undefined {
    const text = this.optional(name);
    if (text === undefined) return undefined;
    if (text.length > MAX_ENCRYPTION_CONTEXT_LENGTH) throw invalidParameter(name, 'It is too long.');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw invalidParameter(name, 'It is not JSON.');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw invalidParameter(name, 'It must be a JSON object of strings.');
    }
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return undefined;
    if (entries.some(([, v]) => typeof v !== 'string')) throw invalidParameter(name, 'It must be a JSON object of strings.');
    const joined = entries
      .map(([k, v]) => [Buffer.from(k, 'utf8'), `${k}=${String(v)}`] as const)
      .sort(([a], [b]) => Buffer.compare(a, b))
      .map(([, pair]) => pair)
      .join('&');
    return new Uint8Array(createHash('sha256').update(joined, 'utf8').digest());
  }
}
