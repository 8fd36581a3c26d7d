/**
 * `@dek/stream`: envelope encryption of Node and Web streams with KMS-wrapped data keys
 * (format: docs/FORMAT.md). Encrypt and decrypt as streams or in one shot, open an envelope for
 * random access, inspect a header without the KMS, rewrap to new keys without touching the
 * payload, and cache data keys for many small messages.
 *
 * @packageDocumentation
 */
export { encryptStream, decryptStream } from './node/streams.js';
export type { NodeStreamOptions } from './node/push.js';
export { encryptWebStream, decryptWebStream } from './web/web-streams.js';
export type { WebStreamOptions } from './web/web-streams.js';
export { encrypt, decrypt } from './one-shot.js';
export { EnvelopeEncryptor, createEnvelopeEncryptor, DEFAULT_SUITE } from './envelope/encryptor.js';
export type { EncryptOptions, EnvelopeEncryptorOptions } from './envelope/encryptor.js';
export { EnvelopeDecryptor } from './envelope/decryptor.js';
export type { DecryptOptions } from './envelope/decryptor.js';
export { openEnvelope, MAX_READ_LENGTH } from './envelope/random-access.js';
export type { EnvelopeReader, OpenEnvelopeOptions } from './envelope/random-access.js';
export { bytesReader, fileHandleReader } from './node/positional.js';
export type { PositionalReader, PositionalSource } from './node/positional.js';
export { inspect } from './envelope/inspect.js';
export type { EnvelopeInfo, InspectSource, SlotInfo } from './envelope/inspect.js';
export { EnvelopeRewrapper } from './envelope/rewrapper.js';
export type { RewrapOptions, RewrapResult } from './envelope/rewrapper.js';
export { rewrap, rewrapStream } from './node/rewrap.js';
export type { RewrapSource, RewrapTransform } from './node/rewrap.js';
export { CachingDataKeyProvider } from './keys/caching.js';
export { encryptFile } from './file/encrypt-file.js';
export type { EncryptFileOptions } from './file/encrypt-file.js';
export { decryptFile } from './file/decrypt-file.js';
export type { DecryptFileOptions } from './file/decrypt-file.js';
export { rewrapFile } from './file/rewrap-file.js';
export type { RewrapFileOptions } from './file/rewrap-file.js';
export type { FileSource, FileTarget, TargetOptions } from './file/files.js';
export { MAX_CONCURRENCY } from './file/job.js';
export type { FileJobOptions } from './file/job.js';
export type { DataKeyCacheOptions } from './keys/caching.js';
export { kmsDataKeys, leaseOf } from './keys/data-keys.js';
export type { DataKeyLease, DataKeyProvider, DataKeyRequest } from './keys/data-keys.js';
export type { ResolvedWrapKey, UnwrapKmsOptions, WrapKey } from './keys/kms.js';
export type { SlotFailure } from './keys/unwrap.js';
