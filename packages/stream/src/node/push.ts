/**
 * Helpers shared by the Node stream wrappers: their buffering options and how they push output.
 *
 * @module
 */
import type { Transform, TransformOptions } from 'node:stream';
import { joinBytes } from '../envelope/bytes.js';
import { countGarbage } from './young-garbage.js';

/** Stream buffering options shared by the Node wrappers. */
export interface NodeStreamOptions {
  /** `highWaterMark` of both sides in bytes (Node's default when left out). Larger values (e.g. 1 MiB) are faster for files. */
  readonly highWaterMark?: number;
}

/** Transform options from {@link NodeStreamOptions}. */
export function transformOptions(options: NodeStreamOptions): TransformOptions {
  return options.highWaterMark === undefined ? {} : { highWaterMark: options.highWaterMark };
}

/**
 * Pushes the output pieces of one write as one buffer: copying them costs less than a push per
 * 16 KiB chunk, and far less than a `write(2)` per chunk into a sink without `writev` (stdout to a
 * file or a pipe writes synchronously, piece by piece). @internal
 */
export function pushPieces(stream: Transform, pieces: readonly Uint8Array[]): void {
  if (pieces.length === 0) return;
  const joined = joinBytes(pieces);
  countGarbage(joined.length);
  if (joined.length > 0) stream.push(joined);
}
