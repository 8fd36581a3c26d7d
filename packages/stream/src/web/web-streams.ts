/**
 * WHATWG `TransformStream` wrappers over {@link EnvelopeEncryptor} and {@link EnvelopeDecryptor}:
 * the same core as the Node streams, for `ReadableStream.pipeThrough`. No Node built-ins.
 *
 * @module
 */
import { EnvelopeDecryptor } from '../envelope/decryptor.js';
import type { DecryptOptions } from '../envelope/decryptor.js';
import { prepareEncryption, startEncryption } from '../envelope/encryptor.js';
import type { EncryptOptions, EnvelopeEncryptor } from '../envelope/encryptor.js';
import { joinBytes } from '../envelope/bytes.js';
import { kmsLookup } from '../keys/kms.js';
import { ArgumentError } from '@dek/core';
// Type only (erased): the transformer shape, which the global Web streams types do not name.

/** Queuing options of the Web wrappers (byte counts). */
export interface WebStreamOptions {
  /** High-water mark of the writable side, in bytes (default 64 KiB). */
  readonly writableHighWaterMark?: number;
  /** High-water mark of the readable side, in bytes (default 64 KiB). */
  readonly readableHighWaterMark?: number;
}

const DEFAULT_HIGH_WATER_MARK = 64 * 1024;

/**
 * A transformer with the Streams spec's `cancel` hook, run when the readable side is cancelled or
 * the writable side aborted (Node 20 runs it; TypeScript's DOM types do not list it yet).
 */
type CancellableTransformer = NonNullable<ConstructorParameters<typeof TransformStream<Uint8Array, Uint8Array>>[0]> & {
  cancel?: (reason: unknown) => void;
};

function strategies(options: WebStreamOptions): [QueuingStrategy<Uint8Array>, QueuingStrategy<Uint8Array>] {
  // Anything but bytes counts as 1 so that it reaches transform(), which rejects it with ArgumentError
  // (a size() failure would error the writable side only and leave the readable side hanging).
  const size = (chunk: unknown): number => (chunk instanceof Uint8Array ? chunk.byteLength : 1);
  return [
    { highWaterMark: options.writableHighWaterMark ?? DEFAULT_HIGH_WATER_MARK, size },
    { highWaterMark: options.readableHighWaterMark ?? DEFAULT_HIGH_WATER_MARK, size },
  ];
}

function checkChunk(chunk: unknown): Uint8Array {
  if (!(chunk instanceof Uint8Array)) throw new ArgumentError('stream chunks must be Uint8Array', { field: 'chunk' });
  return chunk;
}

function enqueue(controller: TransformStreamDefaultController<Uint8Array>, pieces: readonly Uint8Array[]): void {
  if (pieces.length === 0) return;
  const out = joinBytes(pieces);
  if (out.length > 0) controller.enqueue(out);
}

/**
 * A TransformStream that encrypts its input into one envelope. Options are checked now
 * (ArgumentError); the data key is fetched on the first chunk. Cancelling the readable side or
 * aborting the writable side zeroes the keys.
 */
export function encryptWebStream(options: EncryptOptions & WebStreamOptions): TransformStream<Uint8Array, Uint8Array> {
  const prepared = prepareEncryption(options);
  let encryptor: EnvelopeEncryptor | undefined;
  let cancelled = false;
  const withEncryptor = (
    controller: TransformStreamDefaultController<Uint8Array>,
    step: (e: EnvelopeEncryptor) => Uint8Array[],
  ): void | Promise<void> => {
    if (encryptor !== undefined) return enqueue(controller, step(encryptor));
    return startEncryption(prepared).then((e) => {
      encryptor = e;
      // Cancelled while the data key was on its way: nobody reads on.
      if (cancelled) e.dispose();
      else enqueue(controller, step(e));
    });
  };
  const transformer: CancellableTransformer = {
    transform: (chunk, controller) => withEncryptor(controller, (e) => e.write(checkChunk(chunk))),
    flush: (controller) => withEncryptor(controller, (e) => e.end()),
    cancel: () => {
      cancelled = true;
      encryptor?.dispose();
    },
  };
  return new TransformStream<Uint8Array, Uint8Array>(transformer, ...strategies(options));
}

/**
 * A TransformStream that decrypts one envelope: plaintext only from authenticated chunks; the
 * stream errors (instead of closing) on tampering, truncation or trailing data. Cancelling the
 * readable side or aborting the writable side zeroes the keys.
 */
export function decryptWebStream(options: DecryptOptions & WebStreamOptions): TransformStream<Uint8Array, Uint8Array> {
  kmsLookup(options);
  const decryptor = new EnvelopeDecryptor(options);
  const transformer: CancellableTransformer = {
    transform: (chunk, controller) => {
      enqueue(controller, decryptor.write(checkChunk(chunk)));
      if (decryptor.needsKey) return decryptor.unlock().then((more) => enqueue(controller, more));
      return undefined;
    },
    flush: (controller) => enqueue(controller, decryptor.end()),
    cancel: () => decryptor.dispose(),
  };
  return new TransformStream<Uint8Array, Uint8Array>(transformer, ...strategies(options));
}
