/**
 * Envelope encryption and decryption on several threads (the `concurrency` option): the header
 * work of {@link EnvelopeEncryptor} / {@link EnvelopeDecryptor} on the calling thread, the payload
 * through {@link ParallelSealer} / {@link ParallelOpener}. Asynchronous: `write()` resolves when
 * more may be written; output goes to an `emit` callback in order.
 *
 * @module
 */
import { zeroize } from '@dek/core';
import type { Concurrency } from './concurrency.js';
import type { AesGcm } from '@dek/core';
import { EnvelopeDecryptor } from '../envelope/decryptor.js';
import type { DecryptOptions } from '../envelope/decryptor.js';
import { envelopeHeader } from '../envelope/encryptor.js';
import type { EnvelopeEncryptorOptions, PreparedEncryption } from '../envelope/encryptor.js';
import { ParallelOpener, ParallelSealer } from './parallel-payload.js';
import type { DataKeyLease } from '../keys/data-keys.js';

/** Where the output of a parallel encryptor or decryptor goes, in order. */
export type Emit = (pieces: readonly Uint8Array[]) => void;

/** Encrypts one message on `concurrency` threads; the output is the same as {@link EnvelopeEncryptor}'s. */
export class ParallelEnvelopeEncryptor {
  /** The envelope header: prelude, body and MAC (emitted first). */
  readonly header: Uint8Array;
  readonly #sealer: ParallelSealer;
  readonly #lease: DataKeyLease;
  readonly #emit: Emit;
  #started = false;

  constructor(options: EnvelopeEncryptorOptions & { readonly concurrency: Concurrency; readonly emit: Emit }) {
    const lease = options.lease;
    try {
      const { suite, header, encodedContext } = envelopeHeader(options);
      this.header = header;
      this.#sealer = new ParallelSealer({
        suite,
        key: lease.dataKey,
        context: encodedContext,
        salt: options.salt,
        aead: options.aead,
        concurrency: options.concurrency,
        emit: options.emit,
      });
    } finally {
      lease.release();
    }
    this.#lease = lease;
    this.#emit = options.emit;
  }

  /** Encrypts `data`; resolves when more may be written. */
  write(data: Uint8Array): Promise<void> {
    this.#start();
    const written = this.#sealer.write(data);
    if (data instanceof Uint8Array) this.#lease.countBytes(data.length);
    return written;
  }

  /** Seals the rest and the final chunk; resolves once everything was emitted. */
  async end(): Promise<void> {
    this.#start();
    await this.#sealer.end();
  }

  /** Abandons the message: stops the workers, zeroes the keys. */
  dispose(): void {
    this.#sealer.dispose();
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#emit([this.header, this.#sealer.header]);
  }
}

/** Fetches the data key of a prepared encryption and returns a parallel encryptor for it. */
export async function startParallelEncryption(prepared: PreparedEncryption, emit: Emit): Promise<ParallelEnvelopeEncryptor> {
  const lease = await prepared.provider.acquire(prepared.request);
  const { suite, context } = prepared.request;
  return new ParallelEnvelopeEncryptor({ suite: suite.name, context, lease, aead: prepared.aead, concurrency: prepared.concurrency, emit });
}

/**
 * Decrypts one envelope on `concurrency` threads: the header, key and MAC as
 * {@link EnvelopeDecryptor} does, then the payload in parallel, plaintext released per verified
 * batch. The errors are the same typed errors.
 */
export class ParallelEnvelopeDecryptor {
  readonly #decryptor: EnvelopeDecryptor;
  readonly #aead: AesGcm | undefined;
  readonly #concurrency: Concurrency;
  readonly #emit: Emit;
  #opener: ParallelOpener | undefined;

  constructor(options: Omit<DecryptOptions, 'concurrency'> & { readonly concurrency: Concurrency; readonly emit: Emit }) {
    this.#decryptor = new EnvelopeDecryptor(options);
    this.#aead = options.aead;
    this.#concurrency = options.concurrency;
    this.#emit = options.emit;
  }

  /** Feeds ciphertext; unwraps the key once the header is in; resolves when more may be written. */
  async write(data: Uint8Array): Promise<void> {
    if (this.#opener !== undefined) return this.#opener.write(data);
    this.#decryptor.write(data); // header phase: never any output
    if (!this.#decryptor.needsKey) return;
    const handover = await this.#decryptor.unlockPayload();
    try {
      this.#opener = new ParallelOpener({
        suite: handover.suite,
        key: handover.dataKey,
        context: handover.encodedContext,
        aead: this.#aead,
        concurrency: this.#concurrency,
        emit: this.#emit,
      });
    } finally {
      zeroize(handover.dataKey);
    }
    for (const piece of handover.buffered) await this.#opener.write(piece);
  }

  /** Ends the input: waits for every chunk and opens the final one (typed error otherwise). */
  async end(): Promise<void> {
    if (this.#opener === undefined) {
      this.#decryptor.end(); // throws the header's error (input ended inside it)
      return;
    }
    await this.#opener.end();
  }

  /** Abandons decryption: stops the workers, zeroes the keys. */
  dispose(): void {
    this.#decryptor.dispose();
    this.#opener?.dispose();
  }
}
