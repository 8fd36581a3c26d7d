/**
 * Rewrap as Node streams: {@link rewrapStream} (a Transform from the old envelope to the new one)
 * and {@link rewrap} (source to destination through `stream.pipeline`).
 *
 * @module
 */
import { Readable, Transform } from 'node:stream';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StateError } from '@dek/core';
import { transformOptions } from './push.js';
import { UnlockingTransform } from './unlocking-transform.js';
import type { NodeStreamOptions } from './push.js';
import { EnvelopeRewrapper } from '../envelope/rewrapper.js';
import type { RewrapOptions, RewrapResult } from '../envelope/rewrapper.js';

/** The Transform returned by {@link rewrapStream}. */
export interface RewrapTransform extends Transform {
  /** What the rewrap did; set once the new header is written. */
  readonly result: RewrapResult | undefined;
}

class RewrapTransformImpl extends UnlockingTransform<EnvelopeRewrapper> implements RewrapTransform {
  get result(): RewrapResult | undefined {
    return this.machine.result;
  }
}

/**
 * A Node Transform from an envelope to the same envelope with new slots (see
 * {@link EnvelopeRewrapper}). It errors on a bad header MAC, commitment or final chunk; the output
 * written until then is incomplete, so write to a temporary file and rename on success.
 */
export function rewrapStream(options: RewrapOptions & NodeStreamOptions): RewrapTransform {
  return new RewrapTransformImpl(new EnvelopeRewrapper(options), transformOptions(options));
}

/** What {@link rewrap} reads: a Node Readable, any async iterable of bytes, or bytes in memory. */
export type RewrapSource = Readable | AsyncIterable<Uint8Array> | Uint8Array;

/**
 * Rewraps `source` into `destination` (ended when done): the data key is unwrapped once, wrapped
 * under `to`, and the payload copied unchanged. Resolves with what was done.
 */
export async function rewrap(source: RewrapSource, destination: Writable, options: RewrapOptions & NodeStreamOptions): Promise<RewrapResult> {
  const transform = rewrapStream(options);
  const input = source instanceof Uint8Array ? Readable.from([source]) : source;
  await pipeline(input, transform, destination);
  const result = transform.result;
  if (result === undefined) throw new StateError('rewrap finished without a header');
  return result;
}
