/**
 * Positional (random-access) sources: {@link PositionalReader}, with adapters for a Node
 * `FileHandle` and for bytes in memory.
 *
 * @module
 */
import type { FileHandle } from 'node:fs/promises';
import { ArgumentError, PRELUDE_LENGTH, TruncatedError, readPrelude } from '@dek/core';
import { parseHeaderBytes } from '../envelope/header-collector.js';
import type { CollectedHeader } from '../envelope/header-collector.js';

/** A source that can read any range: a file, an object store, bytes in memory. */
export interface PositionalReader {
  /** Total length of the source in bytes. */
  size(): Promise<number>;
  /**
   * Reads `length` bytes at `position`. May return fewer bytes only when the source ends first.
   */
  read(position: number, length: number): Promise<Uint8Array>;
}

/** What the random-access entry points accept. */
export type PositionalSource = PositionalReader | FileHandle | Uint8Array;

/** A reader over bytes in memory (no copy: reads return views). */
export function bytesReader(bytes: Uint8Array): PositionalReader {
  return {
    size: async () => bytes.length,
    read: async (position, length) => bytes.subarray(position, position + length),
  };
}

/** A reader over an open Node `FileHandle` (the caller keeps ownership and closes it). */
export function fileHandleReader(handle: FileHandle): PositionalReader {
  return {
    size: async () => (await handle.stat()).size,
    read: async (position, length) => {
      const out = new Uint8Array(length);
      let at = 0;
      while (at < length) {
        const { bytesRead } = await handle.read(out, at, length - at, position + at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      return at === length ? out : out.subarray(0, at);
    },
  };
}

function isFileHandle(value: object): value is FileHandle {
  const h = value as Partial<Record<'fd' | 'read' | 'stat', unknown>>;
  return typeof h.fd === 'number' && typeof h.read === 'function' && typeof h.stat === 'function';
}

function isPositionalReader(value: object): value is PositionalReader {
  const r = value as Partial<Record<'size' | 'read', unknown>>;
  return typeof r.size === 'function' && typeof r.read === 'function';
}

/** Whether `value` is a {@link PositionalSource}. */
export function isPositionalSource(value: unknown): value is PositionalSource {
  if (value instanceof Uint8Array) return true;
  return typeof value === 'object' && value !== null && (isFileHandle(value) || isPositionalReader(value));
}

/** Turns any {@link PositionalSource} into a reader; ArgumentError `source` otherwise. */
export function toPositionalReader(source: PositionalSource): PositionalReader {
  if (source instanceof Uint8Array) return bytesReader(source);
  if (typeof source === 'object' && source !== null) {
    if (isFileHandle(source)) return fileHandleReader(source);
    if (isPositionalReader(source)) return source;
  }
  throw new ArgumentError('source must be a Uint8Array, a FileHandle or a PositionalReader', { field: 'source' });
}

/** Reads exactly `length` bytes at `position`; TruncatedError (with `what`) if the source is shorter. */
export async function readExactly(reader: PositionalReader, position: number, length: number, what: string): Promise<Uint8Array> {
  const bytes = await reader.read(position, length);
  if (!(bytes instanceof Uint8Array) || bytes.length < length) {
    throw new TruncatedError(`the source ended inside the ${what}`, { field: what, offset: position + (bytes?.length ?? 0) });
  }
  return bytes.length === length ? bytes : bytes.subarray(0, length);
}

/**
 * Reads and parses the header at the start of a positional source. A source shorter than the
 * prelude is judged on the bytes it has: FormatError if they are not a dek prelude's start
 * (not a dek file), TruncatedError otherwise.
 */
export async function readHeaderAt(reader: PositionalReader): Promise<CollectedHeader> {
  const { headerLength } = readPrelude(await reader.read(0, PRELUDE_LENGTH));
  return parseHeaderBytes(await readExactly(reader, 0, headerLength, 'header'));
}
