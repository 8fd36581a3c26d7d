/**
 * Mutations of valid inputs, as fast-check arbitraries: bit flips, byte overwrites (single bytes
 * and tricky sequences such as overlong UTF-8), insertions, deletions, truncation, appends, copies
 * of a range elsewhere, splices with a second valid input,
 * resizing to lengths the harness finds interesting, and pushes of the input's length fields to
 * their limits (or re-encoding one in a longer, non-canonical form).
 *
 * A mutation holds positions as plain unsigned integers reduced modulo the input length when it is
 * applied, so one description fits inputs of any length and shrinks well.
 *
 * @module
 */
import fc from 'fast-check';

/** A length field inside an input (found by the harness, e.g. by walking MessagePack). */
export interface LengthField {
  /** Offset of the length bytes; for a fix form, of the type byte that holds the length. */
  readonly offset: number;
  /** Width of the length in bytes, big-endian; 0 for a fix form. */
  readonly width: 0 | 1 | 2 | 4;
  /** For a fix form: the type byte base and the largest length it holds. */
  readonly fix?: { readonly base: number; readonly max: number };
  /** The length it holds in the valid input. */
  readonly value: number;
  /** How the field may be re-encoded in a longer form: type byte and width of that form. */
  readonly wider?: { readonly type: number; readonly width: 1 | 2 | 4 };
  /** Bytes after the end of this field's prefix up to the end of the input. */
  readonly remaining: number;
}

/** A value to push a length field to: absolute, or relative to the field. */
export type LengthValue = number | 'current-1' | 'current+1' | 'remaining' | 'remaining+1' | 'max';

/** One mutation. Positions are reduced modulo the input length (plus one where an end is allowed). */
export type Mutation =
  | { readonly op: 'flip'; readonly at: number; readonly bit: number }
  | { readonly op: 'set'; readonly at: number; readonly value: number }
  | { readonly op: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly op: 'delete'; readonly at: number; readonly length: number }
  | { readonly op: 'truncate'; readonly at: number }
  | { readonly op: 'append'; readonly bytes: Uint8Array }
  | { readonly op: 'overwrite'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly op: 'copy'; readonly from: number; readonly to: number; readonly length: number }
  | { readonly op: 'splice'; readonly at: number; readonly from: number }
  | { readonly op: 'resize'; readonly length: number; readonly fill: number }
  | { readonly op: 'length'; readonly field: number; readonly value: LengthValue }
  | { readonly op: 'widen'; readonly field: number };

/** Limits worth pushing a length to: the format's own limits and the edges of each width. */
export const INTERESTING_LENGTHS: readonly number[] = [
  0, 1, 15, 16, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256, 2047, 2048, 2049, 8191, 8192, 8193, 16383, 16384, 16400,
  65535, 65536, 65537, 0x7fffffff, 0x80000000, 0xffffffff,
];

const position = fc.nat({ max: 0x7fffffff });

/**
 * Byte sequences that trip decoders when written over an input: non-shortest ("overlong") and
 * surrogate UTF-8, code points past U+10FFFF, stray continuation and lead bytes, a BOM, the
 * MessagePack bytes for nil, never-used and 32-bit lengths, and a NUL.
 */
export const TRICKY_SEQUENCES: readonly (readonly number[])[] = [
  [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xc2], [0xef, 0xbb, 0xbf], [0xc0], [0xc1], [0xdb, 0xff, 0xff, 0xff, 0xff], [0x00],
];
const byteArb = fc.oneof(fc.constantFrom(0x00, 0xff, 0x7f, 0x80, 0x01, 0xc1, 0xdf, 0xdb), fc.integer({ min: 0, max: 255 }));
const smallBytes = fc.uint8Array({ minLength: 1, maxLength: 8 });
const lengthValue: fc.Arbitrary<LengthValue> = fc.oneof(
  fc.constantFrom<LengthValue>('current-1', 'current+1', 'remaining', 'remaining+1', 'max'),
  fc.constantFrom(...INTERESTING_LENGTHS),
  fc.nat({ max: 0xffffffff }),
);

/** Options of {@link mutationArb}. */
export interface MutationOptions {
  /** Lengths worth resizing the whole input to (e.g. a format's minimum and maximum). */
  readonly lengths?: readonly number[];
  /** Whether the input has length fields ({@link LengthField}) to push. */
  readonly lengthFields?: boolean;
}

/** An arbitrary single mutation. */
export function mutationArb(options: MutationOptions = {}): fc.Arbitrary<Mutation> {
  const arbs: fc.Arbitrary<Mutation>[] = [
    fc.record({ op: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ op: fc.constant('set' as const), at: position, value: byteArb }),
    fc.record({ op: fc.constant('insert' as const), at: position, bytes: smallBytes }),
    fc.record({ op: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 32 }) }),
    fc.record({ op: fc.constant('truncate' as const), at: position }),
    fc.record({ op: fc.constant('append' as const), bytes: fc.oneof(smallBytes, fc.uint8Array({ minLength: 16, maxLength: 64 })) }),
    fc.record({ op: fc.constant('overwrite' as const), at: position, bytes: fc.constantFrom(...TRICKY_SEQUENCES).map((b) => Uint8Array.from(b)) }),
    fc.record({ op: fc.constant('copy' as const), from: position, to: position, length: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ op: fc.constant('splice' as const), at: position, from: position }),
  ];
  const lengths = options.lengths ?? [];
  if (lengths.length > 0) {
    arbs.push(fc.record({ op: fc.constant('resize' as const), length: fc.constantFrom(...lengths), fill: byteArb }));
  }
  if (options.lengthFields === true) {
    const push = fc.record({ op: fc.constant('length' as const), field: position, value: lengthValue });
    arbs.push(push, push, push, fc.record({ op: fc.constant('widen' as const), field: position }));
  }
  return fc.oneof(...arbs);
}

/** An arbitrary list of 1..`max` mutations (mostly one: each one alone should already fail). */
export function mutationsArb(options: MutationOptions = {}, max = 4): fc.Arbitrary<Mutation[]> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.array(mutationArb(options), { minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.array(mutationArb(options), { minLength: 2, maxLength: max }) },
  );
}

function writeBig(bytes: Uint8Array, offset: number, width: 1 | 2 | 4, value: number): void {
  for (let i = width - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) bytes[offset + i] = v & 0xff;
}

function resolveLength(field: LengthField, value: LengthValue): number {
  const widthMax = field.width === 0 ? field.fix!.max : 2 ** (8 * field.width) - 1;
  let v: number;
  switch (value) {
    case 'current-1': v = field.value - 1; break;
    case 'current+1': v = field.value + 1; break;
    case 'remaining': v = field.remaining; break;
    case 'remaining+1': v = field.remaining + 1; break;
    case 'max': v = widthMax; break;
    default: v = value;
  }
  return Math.min(widthMax, Math.max(0, v));
}

/** Applies one length push to `bytes` in place. */
function pushLength(bytes: Uint8Array, field: LengthField, value: LengthValue): void {
  const v = resolveLength(field, value);
  if (field.width === 0) bytes[field.offset] = field.fix!.base + v;
  else writeBig(bytes, field.offset, field.width, v);
}

/** Re-encodes a length field in its next longer form (same length value): non-canonical input. */
function widen(bytes: Uint8Array, field: LengthField): Uint8Array {
  const wider = field.wider;
  if (wider === undefined) return bytes;
  const typeAt = field.width === 0 ? field.offset : field.offset - 1;
  const end = field.offset + field.width + (field.width === 0 ? 1 : 0);
  const prefix = new Uint8Array(1 + wider.width);
  prefix[0] = wider.type;
  writeBig(prefix, 1, wider.width, field.value);
  const out = new Uint8Array(bytes.length - (end - typeAt) + prefix.length);
  out.set(bytes.subarray(0, typeAt), 0);
  out.set(prefix, typeAt);
  out.set(bytes.subarray(end), typeAt + prefix.length);
  return out;
}

function applyOne(bytes: Uint8Array, m: Mutation, other: Uint8Array): Uint8Array {
  const n = bytes.length;
  switch (m.op) {
    case 'flip': {
      if (n === 0) return bytes;
      const out = bytes.slice();
      out[m.at % n]! ^= 1 << m.bit;
      return out;
    }
    case 'set': {
      if (n === 0) return bytes;
      const out = bytes.slice();
      out[m.at % n] = m.value;
      return out;
    }
    case 'insert': {
      const at = m.at % (n + 1);
      const out = new Uint8Array(n + m.bytes.length);
      out.set(bytes.subarray(0, at), 0);
      out.set(m.bytes, at);
      out.set(bytes.subarray(at), at + m.bytes.length);
      return out;
    }
    case 'delete': {
      if (n === 0) return bytes;
      const at = m.at % n;
      const end = Math.min(n, at + m.length);
      const out = new Uint8Array(n - (end - at));
      out.set(bytes.subarray(0, at), 0);
      out.set(bytes.subarray(end), at);
      return out;
    }
    case 'truncate':
      return bytes.slice(0, m.at % (n + 1));
    case 'append': {
      const out = new Uint8Array(n + m.bytes.length);
      out.set(bytes, 0);
      out.set(m.bytes, n);
      return out;
    }
    case 'overwrite': {
      if (n === 0) return bytes;
      const at = m.at % n;
      const out = bytes.slice();
      out.set(m.bytes.subarray(0, n - at), at);
      return out;
    }
    case 'copy': {
      if (n === 0) return bytes;
      const from = m.from % n;
      const to = m.to % n;
      const out = bytes.slice();
      out.set(bytes.subarray(from, Math.min(n, from + m.length, from + (n - to))), to);
      return out;
    }
    case 'splice': {
      const at = m.at % (n + 1);
      const from = m.from % (other.length + 1);
      const out = new Uint8Array(at + other.length - from);
      out.set(bytes.subarray(0, at), 0);
      out.set(other.subarray(from), at);
      return out;
    }
    case 'resize': {
      if (m.length <= n) return bytes.slice(0, m.length);
      const out = new Uint8Array(m.length).fill(m.fill);
      out.set(bytes, 0);
      return out;
    }
    case 'length':
    case 'widen':
      return bytes; // applied up front by applyMutations
  }
}

/**
 * Applies `mutations` to a copy of `base`: first every length push (on the base's own fields,
 * whose offsets are still right), then at most one re-encoding in a wider form, then the byte
 * mutations in order. `other` is the second valid input of a splice. Never modifies `base`.
 */
export function applyMutations(
  base: Uint8Array,
  mutations: readonly Mutation[],
  other: Uint8Array = base,
  fields: readonly LengthField[] = [],
): Uint8Array {
  let bytes: Uint8Array = base.slice();
  if (fields.length > 0) {
    for (const m of mutations) if (m.op === 'length') pushLength(bytes, fields[m.field % fields.length]!, m.value);
    const widening = mutations.find((m) => m.op === 'widen');
    if (widening !== undefined) bytes = widen(bytes, fields[widening.field % fields.length]!);
  }
  for (const m of mutations) bytes = applyOne(bytes, m, other);
  return bytes;
}

/** Whether any of `mutations` pushes a length or resizes the input (so memory is worth measuring). */
export function pushesLengths(mutations: readonly Mutation[]): boolean {
  return mutations.some((m) => m.op === 'length' || m.op === 'resize' || m.op === 'widen');
}

/** A short text form of mutations, for corpus files and messages. */
export function describeMutations(mutations: readonly Mutation[]): string {
  return mutations
    .map((m) => {
      const parts = Object.entries(m)
        .filter(([k]) => k !== 'op')
        .map(([k, v]) => `${k}=${v instanceof Uint8Array ? Buffer.from(v).toString('hex') : String(v)}`);
      return `${m.op}(${parts.join(',')})`;
    })
    .join(' ');
}
