/**
 * The Node `Transform` wrappers for `concurrency > 1`: the same contract as the single-thread
 * ones in node-streams.ts (backpressure through the write callback, pieces pushed without joining,
 * typed errors), over {@link ParallelEnvelopeEncryptor} and {@link ParallelEnvelopeDecryptor}.
 * Worker threads end with the stream, on success or error.
 *
 * @module
 */
import { Transform } from 'node:stream';
import type { TransformCallback, TransformOptions } from 'node:stream';
import type { Concurrency } from './concurrency.js';
import type { DecryptOptions } from '../envelope/decryptor.js';
import type { PreparedEncryption } from '../envelope/encryptor.js';
import { pushPieces } from '../node/push.js';
import { ParallelEnvelopeDecryptor, startParallelEncryption } from './parallel-envelope.js';
import type { ParallelEnvelopeEncryptor } from './parallel-envelope.js';

/** Calls `callback` once `step` settles. */
function settle(step: Promise<void>, callback: TransformCallback): void {
  step.then(() => callback(), (error: unknown) => callback(error as Error));
}

/** Encrypting Transform on several threads. @internal */
export class ParallelEncryptTransform extends Transform {
  readonly #prepared: PreparedEncryption;
  #encryptor: ParallelEnvelopeEncryptor | undefined;

  constructor(prepared: PreparedEncryption, options: TransformOptions) {
    super(options);
    this.#prepared = prepared;
  }

  /** Runs `step` with the encryptor, fetching the data key first (the KMS await). */
  #withEncryptor(step: (encryptor: ParallelEnvelopeEncryptor) => Promise<void>, callback: TransformCallback): void {
    if (this.#encryptor !== undefined) {
      settle(step(this.#encryptor), callback);
      return;
    }
    startParallelEncryption(this.#prepared, (pieces) => pushPieces(this, pieces)).then((encryptor) => {
      if (this.destroyed) {
        encryptor.dispose();
        return;
      }
      this.#encryptor = encryptor;
      settle(step(encryptor), callback);
    }, callback);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#withEncryptor((encryptor) => encryptor.write(chunk), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.#withEncryptor((encryptor) => encryptor.end(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#encryptor?.dispose();
    callback(error);
  }
}

/** Decrypting Transform on several threads. @internal */
export class ParallelDecryptTransform extends Transform {
  readonly #decryptor: ParallelEnvelopeDecryptor;

  constructor(options: Omit<DecryptOptions, 'concurrency'> & { readonly concurrency: Concurrency }, transformOptions: TransformOptions) {
    super(transformOptions);
    this.#decryptor = new ParallelEnvelopeDecryptor({ ...options, emit: (pieces) => pushPieces(this, pieces) });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    settle(this.#decryptor.write(chunk), callback);
  }

  override _flush(callback: TransformCallback): void {
    settle(this.#decryptor.end(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#decryptor.dispose();
    callback(error);
  }
}
