/**
 * The envelope header codec, format v1 (DESIGN.md):
 *
 * ```
 * magic 0x89 'D' 'E' 'K' | version 0x01 | n (u32be, 1..65536) | body (n bytes, one MessagePack map) | MAC (32)
 * ```
 *
 * The body is written deterministically with msgpackr: one map with the keys `suite`, `context`,
 * `slots` in that order; `context` a map with its keys sorted by UTF-8 bytes; each slot a map with
 * `kms`, `keyId`, `keyVersionId`?, `blob`, `iv`?, `algorithm`? in that order; `blob` and `iv` as
 * bin; every length in its shortest form. Decoding accepts exactly that encoding and nothing
 * else, so a decoded header re-encodes to the very bytes it came from, and no two byte strings
 * mean the same header.
 *
 * @module
 */
// 'msgpackr/pack' is msgpackr without its Node entry, which loads a native decoder this codec never uses.
import { Packr } from 'msgpackr/pack';
import type { SuiteName } from '../chunked/index.js';
import { ArgumentError, FormatError, TruncatedError } from '../errors.js';
import { type ContextEntry, contextEntries, type EncryptionContext } from './context.js';
import {
  ENVELOPE_MAGIC,
  ENVELOPE_VERSION,
  HEADER_MAC_LENGTH,
  isSuiteName,
  KMS_ID_PATTERN,
  MAX_ALGORITHM_LENGTH,
  MAX_CONTEXT_BYTES,
  MAX_CONTEXT_PAIRS,
  MAX_HEADER_BODY_LENGTH,
  MAX_KEY_ID_LENGTH,
  MAX_KEY_VERSION_ID_LENGTH,
  MAX_KMS_ID_LENGTH,
  MAX_SLOT_BLOB_LENGTH,
  MAX_SLOT_IV_LENGTH,
  MAX_SLOTS,
  PRELUDE_LENGTH,
} from './limits.js';
import { BodyReader } from './reader.js';
import { compareBytes, isWellFormed, utf8Encode } from './utf8.js';

/** One way to unwrap the data key: a KMS key and the data key wrapped under it. */
export interface KeySlot {
  /** Provider id, `[a-z0-9-]{1,64}`: `local`, `alibaba-kms`, `alibaba-openapi`, `aws-kms`, ... */
  readonly kms: string;
  /** The KMS key id, alias or ARN (1..2048 UTF-8 bytes). */
  readonly keyId: string;
  /** The key version that wrapped the data key, where known (1..256 bytes). */
  readonly keyVersionId?: string;
  /** The KMS ciphertext blob exactly as returned (1..8192 bytes). */
  readonly blob: Uint8Array;
  /** Provider extra: the IV of a non-advance blob (1..64 bytes). */
  readonly iv?: Uint8Array;
  /** Provider extra: the algorithm of a non-advance blob (1..32 bytes). */
  readonly algorithm?: string;
}

/** The decoded meaning of an envelope header (without its MAC). */
export interface EnvelopeHeader {
  /** The chunked-encryption suite of the payload. */
  readonly suite: SuiteName;
  /** The encryption context; bound into CTX, so the payload and every slot depend on it. */
  readonly context: EncryptionContext;
  /** 1..16 slots, each able to unwrap the same data key. */
  readonly slots: readonly KeySlot[];
}

/** Where the parts of a header lie, from {@link readPrelude}. */
export interface HeaderPrelude {
  /** n, the body length (1..65536). */
  readonly bodyLength: number;
  /** 9 + n + 32: where the payload starts. */
  readonly headerLength: number;
}

/** A decoded header and where its parts lie, from {@link decodeHeader}. */
export interface DecodedHeader {
  /** The header's meaning. */
  readonly header: EnvelopeHeader;
  /** 9 + n: the MAC covers bytes `0 .. macedLength`. */
  readonly macedLength: number;
  /** The 32-byte header MAC as stored (a copy); check it with `verifyHeaderMac`. */
  readonly mac: Uint8Array;
  /** 9 + n + 32: where the payload starts. */
  readonly headerLength: number;
}

type SlotKey = 'kms' | 'keyId' | 'keyVersionId' | 'blob' | 'iv' | 'algorithm';

interface SlotRule {
  readonly key: SlotKey;
  readonly kind: 'str' | 'bin';
  readonly max: number;
  readonly required: boolean;
  readonly pattern?: RegExp;
}

/** Slot fields in their encoding order. */
const SLOT_RULES: readonly SlotRule[] = [
  { key: 'kms', kind: 'str', max: MAX_KMS_ID_LENGTH, required: true, pattern: KMS_ID_PATTERN },
  { key: 'keyId', kind: 'str', max: MAX_KEY_ID_LENGTH, required: true },
  { key: 'keyVersionId', kind: 'str', max: MAX_KEY_VERSION_ID_LENGTH, required: false },
  { key: 'blob', kind: 'bin', max: MAX_SLOT_BLOB_LENGTH, required: true },
  { key: 'iv', kind: 'bin', max: MAX_SLOT_IV_LENGTH, required: false },
  { key: 'algorithm', kind: 'str', max: MAX_ALGORITHM_LENGTH, required: false },
];
const SLOT_KEYS: readonly string[] = SLOT_RULES.map((r) => r.key);
const ROOT_KEYS: readonly string[] = ['suite', 'context', 'slots'];
/** Longest map key the reader will look at (all known keys are shorter). */
const MAX_KEY_NAME_LENGTH = 64;
/** Longest suite name the reader will look at. */
const MAX_SUITE_LENGTH = 32;

/** What is wrong with a slot value of `byteLength` bytes, or undefined. */
function valueProblem(rule: SlotRule, byteLength: number, text?: string): string | undefined {
  if (byteLength === 0) return 'must not be empty';
  if (byteLength > rule.max) return `is longer than ${rule.max} bytes`;
  if (rule.pattern && text !== undefined && !rule.pattern.test(text)) return `must match ${String(rule.pattern)}`;
  return undefined;
}

// Deterministic msgpack: plain maps (Map instances, in insertion order), no records or shared
// structures, no bundled strings, Uint8Array as bin (moreTypes off), shortest length forms.
// Made on first use, not at import.
let packr: Packr | undefined;
const packer = (): Packr =>
  (packr ??= new Packr({
    useRecords: false,
    moreTypes: false,
    structuredClone: false,
    bundleStrings: false,
    useToJSON: false,
  }));

function checkSlot(slot: KeySlot, path: string): Map<string, string | Uint8Array> {
  if (typeof slot !== 'object' || slot === null) throw new ArgumentError(`${path} must be an object`, { field: path });
  for (const key of Object.keys(slot)) {
    if (!SLOT_KEYS.includes(key)) throw new ArgumentError(`${path}.${key} is not a slot field`, { field: `${path}.${key}` });
  }
  const out = new Map<string, string | Uint8Array>();
  for (const rule of SLOT_RULES) {
    const field = `${path}.${rule.key}`;
    const value: unknown = slot[rule.key];
    if (value === undefined) {
      if (rule.required) throw new ArgumentError(`${field} is missing`, { field });
      continue;
    }
    let problem: string | undefined;
    if (rule.kind === 'bin') {
      problem = value instanceof Uint8Array ? valueProblem(rule, value.length) : 'must be a Uint8Array';
    } else if (typeof value !== 'string') {
      problem = 'must be a string';
    } else {
      problem = isWellFormed(value) ? valueProblem(rule, utf8Encode(value).length, value) : 'has a lone surrogate';
    }
    if (problem !== undefined) throw new ArgumentError(`${field} ${problem}`, { field, limit: rule.max });
    out.set(rule.key, value as string | Uint8Array);
  }
  return out;
}

/**
 * Encodes a header: prelude and body, exactly the bytes the header MAC covers (the MAC is not
 * included). Throws ArgumentError naming the field (e.g. `slots[1].keyId`) when the header
 * breaks a rule or limit, or when the body would exceed {@link MAX_HEADER_BODY_LENGTH}.
 */
export function encodeHeader(header: EnvelopeHeader): Uint8Array {
  if (typeof header !== 'object' || header === null) throw new ArgumentError('header must be an object', { field: 'header' });
  if (!isSuiteName(header.suite)) throw new ArgumentError('header suite is unknown', { field: 'suite' });
  const context = new Map(contextEntries(header.context).map((e: ContextEntry) => [e.key, e.value]));
  const { slots } = header;
  if (!Array.isArray(slots) || slots.length < 1 || slots.length > MAX_SLOTS) {
    throw new ArgumentError(`slots must be an array of 1..${MAX_SLOTS} slots`, { field: 'slots', limit: MAX_SLOTS });
  }
  const body = packer().pack(
    new Map<string, unknown>([
      ['suite', header.suite],
      ['context', context],
      // Array.from, not map: a hole in a sparse array must be rejected, not packed as nil.
      ['slots', Array.from({ length: slots.length }, (_, i) => checkSlot(slots[i]!, `slots[${i}]`))],
    ]),
  );
  if (body.length > MAX_HEADER_BODY_LENGTH) {
    throw new ArgumentError(`header body is ${body.length} bytes, more than ${MAX_HEADER_BODY_LENGTH}`, {
      field: 'header',
      limit: MAX_HEADER_BODY_LENGTH,
    });
  }
  const out = new Uint8Array(PRELUDE_LENGTH + body.length);
  out.set(ENVELOPE_MAGIC, 0);
  out[4] = ENVELOPE_VERSION;
  new DataView(out.buffer).setUint32(5, body.length);
  out.set(body, PRELUDE_LENGTH);
  return out;
}

/**
 * Reads the 9-byte prelude at the start of `bytes`. Throws FormatError with field `magic`,
 * `version` or `length` (n outside 1..65536); bytes already present are checked first, so a
 * short input with a wrong magic is a FormatError and only a short correct prefix is a
 * TruncatedError (field `header`).
 */
export function readPrelude(bytes: Uint8Array): HeaderPrelude {
  if (!(bytes instanceof Uint8Array)) throw new ArgumentError('header bytes must be a Uint8Array', { field: 'bytes' });
  for (let i = 0; i < Math.min(bytes.length, ENVELOPE_MAGIC.length); i++) {
    if (bytes[i] !== ENVELOPE_MAGIC[i]) throw new FormatError('not a dek envelope (bad magic)', { field: 'magic', offset: 0 });
  }
  if (bytes.length > 4 && bytes[4] !== ENVELOPE_VERSION) {
    throw new FormatError(`unsupported envelope version ${bytes[4]!}`, { field: 'version', offset: 4 });
  }
  if (bytes.length < PRELUDE_LENGTH) {
    throw new TruncatedError(`input ends inside the ${PRELUDE_LENGTH}-byte header prelude`, {
      field: 'header',
      offset: bytes.length,
      needed: PRELUDE_LENGTH,
    });
  }
  const bodyLength = new DataView(bytes.buffer, bytes.byteOffset + 5, 4).getUint32(0);
  if (bodyLength < 1 || bodyLength > MAX_HEADER_BODY_LENGTH) {
    throw new FormatError(`header body length ${bodyLength} is outside 1..${MAX_HEADER_BODY_LENGTH}`, {
      field: 'length',
      offset: 5,
      limit: MAX_HEADER_BODY_LENGTH,
    });
  }
  return { bodyLength, headerLength: PRELUDE_LENGTH + bodyLength + HEADER_MAC_LENGTH };
}

/**
 * Reads one map whose keys must come from `order`, in that order, each at most once; calls
 * `read` for each value, then checks that every `required` key was there. `path` names the map
 * ('' for the root).
 */
function readMap(
  r: BodyReader,
  path: string,
  order: readonly string[],
  required: readonly string[],
  read: (key: string, field: string) => void,
): void {
  const mapField = path === '' ? 'body' : path;
  const fieldOf = (key: string): string => (path === '' ? key : `${path}.${key}`);
  // No count limit needed: past order.length entries a key must repeat or be unknown.
  const count = r.mapLength(mapField, Number.MAX_SAFE_INTEGER);
  const seen = new Set<string>();
  let last = -1;
  for (let i = 0; i < count; i++) {
    const at = r.position;
    const key = r.string(mapField, MAX_KEY_NAME_LENGTH).text;
    const index = order.indexOf(key);
    if (index < 0) throw r.fail(fieldOf(key), 'unknown key', at);
    if (index === last) throw r.fail(fieldOf(key), 'duplicate key', at);
    if (index < last) throw r.fail(fieldOf(key), `key out of order (the order is ${order.join(', ')})`, at);
    last = index;
    seen.add(key);
    read(key, fieldOf(key));
  }
  for (const key of required) if (!seen.has(key)) throw r.fail(fieldOf(key), 'missing');
}

function readContext(r: BodyReader): EncryptionContext {
  const count = r.mapLength('context', MAX_CONTEXT_PAIRS);
  const context: Record<string, string> = Object.create(null) as Record<string, string>;
  let previous: Uint8Array | undefined;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const keyField = `context[${i}].key`;
    const at = r.position;
    const key = r.string(keyField, MAX_CONTEXT_BYTES);
    if (key.bytes.length === 0) throw r.fail(keyField, 'must not be empty', at);
    if (previous !== undefined) {
      const order = compareBytes(previous, key.bytes);
      if (order === 0) throw r.fail(keyField, 'duplicate key', at);
      if (order > 0) throw r.fail(keyField, 'keys are not sorted by their UTF-8 bytes', at);
    }
    previous = key.bytes;
    const value = r.string(`context[${i}].value`, MAX_CONTEXT_BYTES);
    total += key.bytes.length + value.bytes.length;
    if (total > MAX_CONTEXT_BYTES) throw r.fail('context', `longer than ${MAX_CONTEXT_BYTES} bytes`, at, { limit: MAX_CONTEXT_BYTES });
    // defineProperty, not assignment: `__proto__` must stay an ordinary own key.
    Object.defineProperty(context, key.text, { value: value.text, enumerable: true });
  }
  return Object.freeze(context);
}

function readSlot(r: BodyReader, path: string): KeySlot {
  const slot: Record<string, string | Uint8Array> = {};
  const required = SLOT_RULES.filter((rule) => rule.required).map((rule) => rule.key);
  readMap(r, path, SLOT_KEYS, required, (key, field) => {
    const rule = SLOT_RULES.find((x) => x.key === key)!;
    const at = r.position;
    let problem: string | undefined;
    if (rule.kind === 'bin') {
      const bytes = r.binary(field, rule.max);
      problem = valueProblem(rule, bytes.length);
      slot[key] = bytes;
    } else {
      const { text, bytes } = r.string(field, rule.max);
      problem = valueProblem(rule, bytes.length, text);
      slot[key] = text;
    }
    if (problem !== undefined) throw r.fail(field, problem, at);
  });
  return Object.freeze(slot) as unknown as KeySlot;
}

function readSlots(r: BodyReader): readonly KeySlot[] {
  const at = r.position;
  const count = r.arrayLength('slots', MAX_SLOTS);
  if (count === 0) throw r.fail('slots', 'there must be at least one slot', at);
  const slots: KeySlot[] = [];
  for (let i = 0; i < count; i++) slots.push(readSlot(r, `slots[${i}]`));
  return Object.freeze(slots);
}

/** Decodes a header body strictly (see the module comment). `base` is its offset in the input. */
function decodeBody(body: Uint8Array, base: number): EnvelopeHeader {
  const r = new BodyReader(body, base);
  let suite: SuiteName | undefined;
  let context: EncryptionContext | undefined;
  let slots: readonly KeySlot[] | undefined;
  readMap(r, '', ROOT_KEYS, ROOT_KEYS, (key) => {
    if (key === 'suite') {
      const at = r.position;
      const { text } = r.string('suite', MAX_SUITE_LENGTH);
      if (!isSuiteName(text)) throw r.fail('suite', 'unknown suite', at);
      suite = text;
    } else if (key === 'context') {
      context = readContext(r);
    } else {
      slots = readSlots(r);
    }
  });
  if (!r.done) throw r.fail('body', 'trailing bytes after the header map');
  return Object.freeze({ suite: suite!, context: context!, slots: slots! });
}

/**
 * Decodes and strictly checks the header at the start of `bytes`; a longer input (the payload
 * following) is fine, only the header span is read. Throws TruncatedError (field `header`) if
 * `bytes` is shorter than 9 + n + 32, FormatError naming the field otherwise (`magic`,
 * `version`, `length`, `body`, `suite`, `context[3].key`, `slots[2].blob`, ...). The MAC is
 * returned, not checked: verify it with `verifyHeaderMac` once the data key is known.
 */
export function decodeHeader(bytes: Uint8Array): DecodedHeader {
  const { bodyLength, headerLength } = readPrelude(bytes);
  if (bytes.length < headerLength) {
    throw new TruncatedError(`input ends inside the ${headerLength}-byte header`, {
      field: 'header',
      offset: bytes.length,
      needed: headerLength,
    });
  }
  const macedLength = PRELUDE_LENGTH + bodyLength;
  const header = decodeBody(bytes.subarray(PRELUDE_LENGTH, macedLength), PRELUDE_LENGTH);
  return { header, macedLength, mac: bytes.slice(macedLength, headerLength), headerLength };
}
