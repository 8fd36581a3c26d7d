/**
 * The envelope header, format v1: encryption context and CTX, the strict header codec, and the
 * header MAC.
 *
 * @module
 */
export { type EncryptionContext, encodeContext, kmsAad } from './context.js';
export {
  type DecodedHeader,
  decodeHeader,
  encodeHeader,
  type EnvelopeHeader,
  type HeaderPrelude,
  type KeySlot,
  readPrelude,
} from './codec.js';
export { computeHeaderMac, headerMacKey, verifyHeaderMac } from './mac.js';
export {
  ENVELOPE_MAGIC,
  ENVELOPE_VERSION,
  HEADER_MAC_LENGTH,
  MAX_ALGORITHM_LENGTH,
  MAX_CONTEXT_BYTES,
  MAX_CONTEXT_PAIRS,
  MAX_HEADER_BODY_LENGTH,
  MAX_KEY_ID_LENGTH,
  MAX_KEY_VERSION_ID_LENGTH,
  MAX_KMS_ID_LENGTH,
  MAX_SLOT_BLOB_LENGTH,
  MAX_SLOT_IV_LENGTH,
  MAX_SLOTS,
  PRELUDE_LENGTH,
} from './limits.js';
