/**
 * Reading an envelope header as data, without any KMS call and without authenticating it.
 *
 * @module
 */
import { ENVELOPE_VERSION, payloadPlaintextLength } from '@dek/core';
import type { EncryptionContext, SuiteName } from '@dek/core';
import { HeaderCollector } from './header-collector.js';
import type { CollectedHeader } from './header-collector.js';
import { isPositionalSource, readHeaderAt, toPositionalReader } from '../node/positional.js';
import type { PositionalSource } from '../node/positional.js';

/** One header slot as data (the blob's length, not its bytes). */
export interface SlotInfo {
  readonly kms: string;
  readonly keyId: string;
  readonly keyVersionId?: string;
  readonly blobLength: number;
  /** Present for blobs of the non-advance calls. */
  readonly algorithm?: string;
  /** Whether the slot carries a separate IV (non-advance blobs). */
  readonly hasIv: boolean;
}

/** What {@link inspect} reports. Nothing in it is authenticated. */
export interface EnvelopeInfo {
  /** Always false: the header MAC needs the data key, which inspect never asks for. */
  readonly authenticated: false;
  readonly version: number;
  readonly suite: SuiteName;
  readonly context: EncryptionContext;
  readonly slots: readonly SlotInfo[];
  /** 9 + n + 32. */
  readonly headerLength: number;
  /** Payload bytes after the header, when the source size is known. */
  readonly payloadLength?: number;
  /** The plaintext length the payload length implies, when it is a possible one (unauthenticated). */
  readonly plaintextLength?: number;
}

/** What {@link inspect} reads: a positional source, or a stream of bytes (read only up to the header's end). */
export type InspectSource = PositionalSource | AsyncIterable<Uint8Array>;

function info(collected: CollectedHeader, total: number | undefined): EnvelopeInfo {
  const { suite, context, slots } = collected.header;
  let plaintextLength: number | undefined;
  const payloadLength = total === undefined ? undefined : total - collected.headerLength;
  if (payloadLength !== undefined) {
    try {
      plaintextLength = payloadPlaintextLength(payloadLength);
    } catch {
      plaintextLength = undefined;
    }
  }
  return {
    authenticated: false,
    version: ENVELOPE_VERSION,
    suite,
    context,
    slots: slots.map((slot) => ({
      kms: slot.kms,
      keyId: slot.keyId,
      ...(slot.keyVersionId === undefined ? {} : { keyVersionId: slot.keyVersionId }),
      blobLength: slot.blob.length,
      ...(slot.algorithm === undefined ? {} : { algorithm: slot.algorithm }),
      hasIv: slot.iv !== undefined,
    })),
    headerLength: collected.headerLength,
    ...(payloadLength === undefined ? {} : { payloadLength }),
    ...(plaintextLength === undefined ? {} : { plaintextLength }),
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

/**
 * Parses an envelope header strictly (FormatError / TruncatedError on a bad one) and returns it as
 * data. Makes no KMS call and does not verify the header MAC: the result says `authenticated: false`.
 */
export async function inspect(source: InspectSource): Promise<EnvelopeInfo> {
  if (!isPositionalSource(source) && isAsyncIterable(source)) {
    const collector = new HeaderCollector();
    for await (const chunk of source) {
      const done = collector.push(chunk);
      if (done !== undefined) return info(done.header, undefined);
    }
    throw collector.truncated();
  }
  const reader = toPositionalReader(source);
  const total = await reader.size();
  return info(await readHeaderAt(reader), total);
}
