/**
 * Reading the JSON body of an AWS JSON 1.1 request: a member of the wrong JSON type is a
 * `SerializationException`, a value outside its constraints a `ValidationException` (AWS's
 * wording, member names in camelCase). `null` counts as absent; unknown members are ignored, as
 * AWS ignores them.
 *
 * @module
 */
import { serialization, validation } from './errors.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `KeyId` -> `keyId`, as AWS names members in validation messages. */
const member = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

/** The members of one request body. */
export class AwsInput {
  readonly #body: Readonly<Record<string, unknown>>;

  private constructor(body: Readonly<Record<string, unknown>>) {
    this.#body = body;
  }

  /** Parses the body: a JSON object (an empty body counts as `{}`). */
  static parse(body: Uint8Array): AwsInput {
    if (body.length === 0) return new AwsInput({});
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8'));
    } catch {
      throw serialization('The request body is not valid JSON.');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw serialization('The request body must be a JSON object.');
    return new AwsInput(value as Record<string, unknown>);
  }

  #get(name: string): unknown {
    return Object.hasOwn(this.#body, name) ? this.#body[name] : undefined;
  }

  /** Whether the member is present (and not null). */
  has(name: string): boolean {
    const value = this.#get(name);
    return value !== undefined && value !== null;
  }

  /** A string member of `min..max` characters, or undefined when absent. */
  string(name: string, min: number, max: number): string | undefined {
    const value = this.#get(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw serialization(`${name} must be a string.`);
    if (value.length < min) throw validation(member(name), `Member must have length greater than or equal to ${min}`);
    if (value.length > max) throw validation(member(name), `Member must have length less than or equal to ${max}`);
    return value;
  }

  /** A required string member. */
  requiredString(name: string, min: number, max: number): string {
    const value = this.string(name, min, max);
    if (value === undefined) throw validation(member(name), 'Member must not be null');
    return value;
  }

  /** A string member that must be one of `values`. */
  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.string(name, 0, Number.MAX_SAFE_INTEGER);
    if (value === undefined) return undefined;
    if (!(values as readonly string[]).includes(value)) {
      throw validation(member(name), `Member must satisfy enum value set: [${values.join(', ')}]`);
    }
    return value as T;
  }

  /** An integer member in `min..max`, or undefined when absent. */
  integer(name: string, min: number, max: number): number | undefined {
    const value = this.#get(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw serialization(`${name} must be an integer.`);
    if (value < min) throw validation(member(name), `Member must have value greater than or equal to ${min}`);
    if (value > max) throw validation(member(name), `Member must have value less than or equal to ${max}`);
    return value;
  }

  /** A boolean member, or undefined when absent. */
  boolean(name: string): boolean | undefined {
    const value = this.#get(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw serialization(`${name} must be a boolean.`);
    return value;
  }

  /** A blob member (standard base64 in JSON) of `min..max` bytes, or undefined when absent. */
  blob(name: string, min: number, max: number): Uint8Array | undefined {
    const value = this.#get(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || !BASE64.test(value)) throw serialization(`${name} must be a base64 string.`);
    // Bound before decoding: 4 characters carry 3 bytes.
    if ((value.length / 4) * 3 > max + 2) throw validation(member(name), `Member must have length less than or equal to ${max}`);
    const bytes = new Uint8Array(Buffer.from(value, 'base64'));
    if (bytes.length < min) throw validation(member(name), `Member must have length greater than or equal to ${min}`);
    if (bytes.length > max) {
      bytes.fill(0);
      throw validation(member(name), `Member must have length less than or equal to ${max}`);
    }
    return bytes;
  }

  /** A required blob member. */
  requiredBlob(name: string, min: number, max: number): Uint8Array {
    const value = this.blob(name, min, max);
    if (value === undefined) throw validation(member(name), 'Member must not be null');
    return value;
  }

  /** A map of strings to strings, or undefined when absent. */
  stringMap(name: string): Readonly<Record<string, string>> | undefined {
    const value = this.#get(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw serialization(`${name} must be a map of strings.`);
    for (const v of Object.values(value)) {
      if (typeof v !== 'string') throw serialization(`${name} must be a map of strings.`);
    }
    return value as Record<string, string>;
  }

  /** A list of at most `maxItems` strings, or undefined when absent. */
  stringList(name: string, maxItems: number): readonly string[] | undefined {
    const value = this.#get(name);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw serialization(`${name} must be a list of strings.`);
    if (value.length > maxItems) throw validation(member(name), `Member must have length less than or equal to ${maxItems}`);
    return value as string[];
  }
}
