/**
 * `@dek/stream`: envelope encryption of Node and Web streams with KMS-wrapped data keys
 * (format: docs/FORMAT.md). Encrypt and decrypt as streams or in one shot, open an envelope for
 * random access, inspect a header without the KMS, rewrap to new keys without touching the
 * payload, and cache data keys for many small messages.
 *
 * @packageDocumentation
 */
export { encryptStream, decryptStream } from './node-streams.js';
export type { NodeStreamOptions } from './node-push.js';
export { encryptWebStream, decryptWebStream } from './web-streams.js';
export type { WebStreamOptions } from './web-streams.js';
export { encrypt, decrypt } from './one-shot.js';
export { EnvelopeEncryptor, createEnvelopeEncryptor, DEFAULT_SUITE } from './encryptor.js';
export type { EncryptOptions, EnvelopeEncryptorOptions } from './encryptor.js';
export { EnvelopeDecryptor } from './decryptor.js';
export type { DecryptOptions } from './decryptor.js';
export { openEnvelope, MAX_READ_LENGTH } from './random-access.js';
export type { EnvelopeReader, OpenEnvelopeOptions } from './random-access.js';
export { bytesReader, fileHandleReader } from './positional.js';
export type { PositionalReader, PositionalSource } from './positional.js';
export { inspect } from './inspect.js';
export type { EnvelopeInfo, InspectSource, SlotInfo } from './inspect.js';
export { EnvelopeRewrapper } from './rewrapper.js';
export type { RewrapOptions, RewrapResult } from './rewrapper.js';
export { rewrap, rewrapStream } from './rewrap.js';
export type { RewrapSource, RewrapTransform } from './rewrap.js';
export { CachingDataKeyProvider } from './caching.js';
export { ChunkWorkerPool } from './worker-pool.js';
export type { ChunkWorkerPoolOptions } from './worker-pool.js';
export { MAX_CONCURRENCY } from './concurrency.js';
export type { DataKeyCacheOptions } from './caching.js';
export { kmsDataKeys, leaseOf } from './data-keys.js';
export type { DataKeyLease, DataKeyProvider, DataKeyRequest } from './data-keys.js';
export type { ResolvedWrapKey, UnwrapKmsOptions, WrapKey } from './kms.js';
export type { SlotFailure } from './unwrap.js';
