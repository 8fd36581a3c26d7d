/**
 * Node `Transform` wrappers over {@link EnvelopeEncryptor} and {@link EnvelopeDecryptor}. They work
 * with `stream.pipeline`, honour backpressure (a write's callback waits while the readable side is
 * full) and push the output of a write as the pieces OpenSSL returned (no copy). After the KMS
 * call nothing awaits.
 *
 * @module
 */
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { EnvelopeDecryptor } from '../envelope/decryptor.js';
import type { DecryptOptions } from '../envelope/decryptor.js';
import { prepareEncryption, startEncryption } from '../envelope/encryptor.js';
import type { EncryptOptions, EnvelopeEncryptor, PreparedEncryption } from '../envelope/encryptor.js';
import { kmsLookup } from '../keys/kms.js';
import { pushPieces, transformOptions } from './push.js';
import { UnlockingTransform } from './unlocking-transform.js';
import type { NodeStreamOptions } from './push.js';

class EncryptTransform extends Transform {
  readonly #prepared;
  #encryptor: EnvelopeEncryptor | undefined;

  constructor(prepared: PreparedEncryption, options: NodeStreamOptions) {
    super(transformOptions(options));
    this.#prepared = prepared;
  }

  /** Runs `step` with the encryptor, fetching the data key first (the one await). */
  #withEncryptor(step: (encryptor: EnvelopeEncryptor) => Uint8Array[], callback: TransformCallback): void {
    const run = (encryptor: EnvelopeEncryptor): void => {
      let pieces: Uint8Array[];
      try {
        pieces = step(encryptor);
      } catch (error) {
        callback(error as Error);
        return;
      }
      pushPieces(this, pieces);
      callback();
    };
    if (this.#encryptor !== undefined) {
      run(this.#encryptor);
      return;
    }
    startEncryption(this.#prepared).then((encryptor) => {
      if (this.destroyed) {
        encryptor.dispose();
        return;
      }
      this.#encryptor = encryptor;
      run(encryptor);
    }, callback);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#withEncryptor((encryptor) => encryptor.writeParts(chunk), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.#withEncryptor((encryptor) => encryptor.end(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#encryptor?.dispose();
    callback(error);
  }
}

/**
 * A Node Transform that encrypts its input into one envelope. Options are checked now
 * (ArgumentError); the data key is fetched on the first write (KmsError then fails the stream).
 *
 * @example
 * await pipeline(createReadStream('in'), encryptStream({ kms, keyId }), createWriteStream('in.dek'));
 */
export function encryptStream(options: EncryptOptions & NodeStreamOptions): Transform {
  return new EncryptTransform(prepareEncryption(options), options);
}

/**
 * A Node Transform that decrypts one envelope. It emits plaintext only from authenticated chunks
 * and emits `error` (never `end`) on any tampering, truncation or trailing data.
 */
export function decryptStream(options: DecryptOptions & NodeStreamOptions): Transform {
  kmsLookup(options);
  return new UnlockingTransform(new EnvelopeDecryptor(options), transformOptions(options));
}
