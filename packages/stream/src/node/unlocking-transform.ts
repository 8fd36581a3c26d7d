/**
 * The Node Transform over a state machine that reads an envelope and needs its data key once:
 * {@link EnvelopeDecryptor} and {@link EnvelopeRewrapper}. The KMS unwrap is the only await;
 * every other write is handled synchronously.
 *
 * @module
 */
import { Transform } from 'node:stream';
import type { TransformCallback, TransformOptions } from 'node:stream';
import { pushPieces } from './push.js';

/** What such a state machine offers. @internal */
export interface UnlockingMachine {
  /** Consumes input; returns output pieces (none until unlocked). */
  write(data: Uint8Array): Uint8Array[];
  /** True once the header is in and the data key is still to be unwrapped. */
  readonly needsKey: boolean;
  /** Unwraps the data key (the KMS call) and returns the output held back until then. */
  unlock(): Promise<Uint8Array[]>;
  /** Checks the end of input; returns the last output pieces. */
  end(): Uint8Array[];
  /** Zeroes keys; safe to call at any time. */
  dispose(): void;
}

/** @internal */
export class UnlockingTransform<M extends UnlockingMachine> extends Transform {
  protected readonly machine: M;

  constructor(machine: M, options: TransformOptions) {
    super(options);
    this.machine = machine;
  }

  /** Runs `step`, pushes its output, and reports failure through `callback`; false on failure. */
  #push(step: () => Uint8Array[], callback: TransformCallback): boolean {
    let pieces: Uint8Array[];
    try {
      pieces = step();
    } catch (error) {
      callback(error as Error);
      return false;
    }
    pushPieces(this, pieces);
    return true;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const machine = this.machine;
    if (!this.#push(() => machine.write(chunk), callback)) return;
    if (!machine.needsKey) {
      callback();
      return;
    }
    machine.unlock().then((more) => {
      if (this.destroyed) return;
      pushPieces(this, more);
      callback();
    }, callback);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#push(() => this.machine.end(), callback)) callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.machine.dispose();
    callback(error);
  }
}
