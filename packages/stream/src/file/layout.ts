/**
 * Where every chunk of a file job lies, in the input and in the output. The payload's chunk `k`
 * holds plaintext bytes `k * 16384 ..` and is sealed at payload offset `56 + k * 16400`
 * (docs/FORMAT.md), so each chunk can be read, sealed or opened and written by position alone.
 *
 * @module
 */
import { CHUNK_SIZE, SEALED_CHUNK_SIZE, TAG_LENGTH } from '@dek/core';

/**
 * What a file job does to each chunk: `seal` plaintext, `open` (verify and decrypt) sealed chunks,
 * `verify` sealed chunks and copy them unchanged, or just `copy` them.
 */
export type ChunkOperation = 'seal' | 'open' | 'verify' | 'copy';

/** The positions of a job's chunks; plain data, so that it can go to a worker thread. */
export interface ChunkLayout {
  readonly op: ChunkOperation;
  /** Input offset of chunk 0. */
  readonly inputBase: number;
  /** Output offset of chunk 0. */
  readonly outputBase: number;
  /** Index of the final chunk: chunks `0 .. finalIndex - 1` are full, `finalIndex` is the short one. */
  readonly finalIndex: number;
  /** Input bytes of the final chunk (plaintext when sealing, else sealed bytes; may be < 16 when damaged). */
  readonly finalLength: number;
}

/** Input bytes of one full chunk. */
export function inputUnit(op: ChunkOperation): number {
  return op === 'seal' ? CHUNK_SIZE : SEALED_CHUNK_SIZE;
}

/** Output bytes of one full chunk. */
export function outputUnit(op: ChunkOperation): number {
  return op === 'open' ? CHUNK_SIZE : SEALED_CHUNK_SIZE;
}

/** Layout of sealing `plaintextLength` bytes read from offset 0 into chunks written from `outputBase`. */
export function sealLayout(plaintextLength: number, outputBase: number): ChunkLayout {
  const finalIndex = Math.floor(plaintextLength / CHUNK_SIZE);
  return { op: 'seal', inputBase: 0, outputBase, finalIndex, finalLength: plaintextLength - finalIndex * CHUNK_SIZE };
}

/**
 * Layout of reading `sealedLength` payload bytes (after the 56-byte payload header) from
 * `inputBase`. Every run of 16400 bytes is a full chunk and what is left is the final chunk, as
 * the stream path reads it (a payload that ends on a full chunk has an empty final chunk: truncated).
 */
export function sealedLayout(op: Exclude<ChunkOperation, 'seal'>, sealedLength: number, inputBase: number, outputBase: number): ChunkLayout {
  const finalIndex = Math.floor(sealedLength / SEALED_CHUNK_SIZE);
  return { op, inputBase, outputBase, finalIndex, finalLength: sealedLength - finalIndex * SEALED_CHUNK_SIZE };
}

/** Output bytes of the whole job (the final chunk counted as valid). */
export function outputLength(layout: ChunkLayout): number {
  const { op, finalIndex, finalLength } = layout;
  const final = op === 'seal' ? finalLength + TAG_LENGTH : op === 'open' ? Math.max(finalLength - TAG_LENGTH, 0) : finalLength;
  return layout.outputBase + finalIndex * outputUnit(op) + final;
}

/** Input bytes of the whole job's payload. */
export function inputLength(layout: ChunkLayout): number {
  return layout.inputBase + layout.finalIndex * inputUnit(layout.op) + layout.finalLength;
}
