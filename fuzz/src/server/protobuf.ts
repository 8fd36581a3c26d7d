/**
 * Just enough of the protobuf wire format to build instance API requests field by field (so a
 * declared length, wire type or field number can be made to lie) and to check that the server's
 * answers are well-formed messages.
 *
 * @module
 */

/** One field as it goes on the wire. */
export interface WireField {
  readonly field: number;
  /** 0 varint, 2 length-delimited (others only appear through mutation). */
  readonly wire: number;
  /** Varint value (wire 0) or bytes (wire 2). */
  readonly value: number | Uint8Array;
  /** A length to declare instead of the real one (wire 2). */
  readonly declaredLength?: number;
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = Math.max(0, Math.floor(value));
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** Encodes fields in order. */
export function encodeFields(fields: readonly WireField[]): Uint8Array {
  const out: number[] = [];
  for (const f of fields) {
    out.push(...varint(f.field * 8 + (f.wire & 7)));
    if (typeof f.value === 'number') out.push(...varint(f.value));
    else {
      out.push(...varint(f.declaredLength ?? f.value.length));
      for (const b of f.value) out.push(b);
    }
  }
  return Uint8Array.from(out);
}

/** A string field (wire 2). */
export const str = (field: number, value: string): WireField => ({ field, wire: 2, value: new TextEncoder().encode(value) });
/** A bytes field (wire 2). */
export const bin = (field: number, value: Uint8Array): WireField => ({ field, wire: 2, value });
/** A varint field (wire 0). */
export const int = (field: number, value: number): WireField => ({ field, wire: 0, value });

/** Parses a message into field number -> values; undefined when it is not well-formed. */
export function parseFields(bytes: Uint8Array): Map<number, (number | Uint8Array)[]> | undefined {
  const fields = new Map<number, (number | Uint8Array)[]>();
  let at = 0;
  const readVarint = (): number | undefined => {
    let v = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (at >= bytes.length) return undefined;
      const b = bytes[at++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
    return undefined;
  };
  while (at < bytes.length) {
    const key = readVarint();
    if (key === undefined || key < 8) return undefined;
    const wire = key % 8;
    const field = Math.floor(key / 8);
    let value: number | Uint8Array;
    if (wire === 0) {
      const v = readVarint();
      if (v === undefined) return undefined;
      value = v;
    } else if (wire === 2) {
      const n = readVarint();
      if (n === undefined || at + n > bytes.length) return undefined;
      value = bytes.subarray(at, at + n);
      at += n;
    } else return undefined;
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}
