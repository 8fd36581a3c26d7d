/**
 * Helpers shared by the Node stream wrappers: their buffering options and how they push output.
 *
 * @module
 */
import type { Transform, TransformOptions } from 'node:stream';

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
 * Pushes the output pieces of one write as they are, without joining them: a push costs less than
 * copying a chunk, and a file sink writes the queued pieces with one `writev`. @internal
 */
export function pushPieces(stream: Transform, pieces: readonly Uint8Array[]): void {
  for (const piece of pieces) if (piece.length > 0) stream.push(piece);
}
