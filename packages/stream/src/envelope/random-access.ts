/**
 * Random-access decryption over a positional source: authenticate the header, the commitment and
 * the final chunk once, then decrypt only the chunks a range needs.
 *
 * @module
 */
import {
  ArgumentError,
  AuthenticationError,
  CHUNK_SIZE,
  CommitmentError,
  END_WINDOW,
  PAYLOAD_HEADER_LENGTH,
  SALT_LENGTH,
  SEALED_CHUNK_SIZE,
  StateError,
  TruncatedError,
  chunkCount,
  chunkOffset,
  judgeUnopenedEnd,
  openChunk,
  openChunkKeys,
  payloadPlaintextLength,
  zeroize,
  zeroizeChunkKeys,
} from '@dek/core';
import type { AesGcm, ChunkKeys, EnvelopeHeader } from '@dek/core';
import { kmsLookup } from '../keys/kms.js';
import type { UnwrapKmsOptions } from '../keys/kms.js';
import { readExactly, readHeaderAt, toPositionalReader } from '../node/positional.js';
import type { PositionalReader, PositionalSource } from '../node/positional.js';
import { unlockHeader } from '../keys/unwrap.js';

/** Largest range one {@link EnvelopeReader.read} returns (1 GiB); read bigger ranges in parts. */
export const MAX_READ_LENGTH = 2 ** 30;

/** Sealed chunks fetched per source read (1 MiB of ciphertext). */
const CHUNKS_PER_READ = 64;

/** Options of {@link openEnvelope}. */
export interface OpenEnvelopeOptions extends UnwrapKmsOptions {
  /** AES-GCM backend; default node:crypto under Node. */
  readonly aead?: AesGcm;
}

/** An opened envelope: authenticated header and length, and range reads. */
export interface EnvelopeReader {
  /** The header (its MAC verified). */
  readonly header: EnvelopeHeader;
  /** The slot that unwrapped the data key. */
  readonly slotIndex: number;
  /** The plaintext length; the final chunk has been authenticated. */
  readonly size: number;
  /**
   * Decrypts plaintext bytes `[start, end)` (defaults: 0 and `size`), reading and opening only the
   * chunks that hold them. ArgumentError for a bad range, AuthenticationError if a chunk was
   * altered, TruncatedError if the source shrank.
   */
  read(start?: number, end?: number): Promise<Uint8Array>;
  /** Zeroes the chunk keys; later reads throw StateError. */
  close(): void;
}

function checkPosition(value: number, field: 'start' | 'end', min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ArgumentError(`${field} must be an integer in [${min}, ${max}], got ${String(value)}`, { field, min, max });
  }
  return value;
}

class Reader implements EnvelopeReader {
  readonly header: EnvelopeHeader;
  readonly slotIndex: number;
  readonly size: number;
  readonly #source: PositionalReader;
  readonly #keys: ChunkKeys;
  readonly #payloadStart: number;
  readonly #payloadLength: number;
  readonly #lastChunk: number;
  #closed = false;

  constructor(init: {
    header: EnvelopeHeader;
    slotIndex: number;
    size: number;
    source: PositionalReader;
    keys: ChunkKeys;
    payloadStart: number;
    payloadLength: number;
  }) {
    this.header = init.header;
    this.slotIndex = init.slotIndex;
    this.size = init.size;
    this.#source = init.source;
    this.#keys = init.keys;
    this.#payloadStart = init.payloadStart;
    this.#payloadLength = init.payloadLength;
    this.#lastChunk = chunkCount(init.size) - 1;
  }

  /** Reads and opens chunks `first..last`; calls `use(index, plaintext)` for each. */
  async chunks(first: number, last: number, use: (index: number, plaintext: Uint8Array) => void): Promise<void> {
    for (let from = first; from <= last; from += CHUNKS_PER_READ) {
      const to = Math.min(last, from + CHUNKS_PER_READ - 1);
      const begin = chunkOffset(from);
      const end = to === this.#lastChunk ? this.#payloadLength : chunkOffset(to) + SEALED_CHUNK_SIZE;
      const sealed = await readExactly(this.#source, this.#payloadStart + begin, end - begin, 'payload');
      if (this.#closed) throw new StateError('the envelope reader was closed');
      for (let k = from; k <= to; k++) {
        const at = chunkOffset(k) - begin;
        const length = k === this.#lastChunk ? end - begin - at : SEALED_CHUNK_SIZE;
        use(k, openChunk(this.#keys, k, sealed.subarray(at, at + length)));
      }
    }
  }

  async read(start = 0, end: number = this.size): Promise<Uint8Array> {
    if (this.#closed) throw new StateError('the envelope reader was closed');
    checkPosition(start, 'start', 0, this.size);
    checkPosition(end, 'end', start, this.size);
    if (end - start > MAX_READ_LENGTH) {
      throw new ArgumentError(`a read returns at most ${MAX_READ_LENGTH} bytes; split the range`, { field: 'end', limit: MAX_READ_LENGTH });
    }
    const out = new Uint8Array(end - start);
    if (start === end) return out;
    await this.chunks(Math.floor(start / CHUNK_SIZE), Math.floor((end - 1) / CHUNK_SIZE), (k, plaintext) => {
      const chunkStart = k * CHUNK_SIZE;
      const from = Math.max(start, chunkStart) - chunkStart;
      const to = Math.min(end, chunkStart + plaintext.length) - chunkStart;
      out.set(plaintext.subarray(from, to), chunkStart + from - start);
    });
    return out;
  }

  close(): void {
    this.#closed = true;
    zeroizeChunkKeys(this.#keys);
  }
}

/**
 * Authenticates the final chunk, which the payload length places, and returns the plaintext
 * length. If it does not open, the last bytes get the verdict of {@link judgeUnopenedEnd}: a
 * valid final chunk followed by 1 to 64 bytes is TrailingDataError.
 */
async function authenticatedSize(reader: PositionalReader, payloadStart: number, payloadLength: number, keys: ChunkKeys): Promise<number> {
  try {
    const size = payloadPlaintextLength(payloadLength);
    const last = chunkCount(size) - 1;
    const begin = chunkOffset(last);
    zeroize(openChunk(keys, last, await readExactly(reader, payloadStart + begin, payloadLength - begin, 'payload')));
    return size;
  } catch (error) {
    if (!(error instanceof AuthenticationError || error instanceof TruncatedError)) throw error;
    const sequenceLength = payloadLength - PAYLOAD_HEADER_LENGTH;
    const window = Math.min(sequenceLength, END_WINDOW);
    const tail = await readExactly(reader, payloadStart + payloadLength - window, window, 'payload');
    throw judgeUnopenedEnd(keys, sequenceLength, tail, error);
  }
}

/**
 * Opens an envelope for random access: parses the header, unwraps the data key (first slot whose
 * KMS is given), verifies the header MAC and the commitment, and authenticates the final chunk so
 * that `size` can be trusted (bytes appended after it: TrailingDataError). The data key is zeroed
 * once the chunk keys are derived.
 */
export async function openEnvelope(source: PositionalSource, options: OpenEnvelopeOptions): Promise<EnvelopeReader> {
  const lookup = kmsLookup(options);
  const reader = toPositionalReader(source);
  const total = await reader.size();
  if (!Number.isSafeInteger(total) || total < 0) throw new ArgumentError('source size must be a non-negative integer', { field: 'source' });
  const parsed = await readHeaderAt(reader);
  const headerLength = parsed.headerLength;
  const payloadLength = total - headerLength;
  // Only a payload cut inside its 56-byte header is judged before the KMS call; the rest of the
  // length is checked with the keys, which can tell appended bytes from a cut.
  if (payloadLength < PAYLOAD_HEADER_LENGTH) payloadPlaintextLength(payloadLength);
  const unlocked = await unlockHeader(parsed, lookup);
  let keys: ChunkKeys;
  try {
    const payloadHeader = await readExactly(reader, headerLength, PAYLOAD_HEADER_LENGTH, 'payload header');
    keys = openChunkKeys(parsed.header.suite, unlocked.dataKey, payloadHeader, unlocked.encodedContext, options.aead);
  } catch (error) {
    if (error instanceof CommitmentError) {
      throw new CommitmentError(error.message, { ...error.details, offset: headerLength + SALT_LENGTH });
    }
    throw error;
  } finally {
    zeroize(unlocked.dataKey);
  }
  let size: number;
  try {
    size = await authenticatedSize(reader, headerLength, payloadLength, keys);
  } catch (error) {
    zeroizeChunkKeys(keys);
    throw error;
  }
  return new Reader({ header: parsed.header, slotIndex: unlocked.slotIndex, size, source: reader, keys, payloadStart: headerLength, payloadLength });
}
