/**
 * The KMS `CiphertextBlob` codec, as Alibaba Cloud KMS and its official transfer SDKs lay it out.
 *
 * Advance blob (KMS instance API, raw bytes):
 *
 * ```
 * 0x24 '$' | 0x00 (cipher version 0, padding 0) | 0x02 (AES_GCM) | KeyVersionId (36 ASCII) | IV (12) | ciphertext | tag (16)
 * ```
 *
 * OpenAPI blob (shared gateway, base64 string): the same bytes without the 3-byte header.
 *
 * @module
 */
import { base64 } from '@scure/base';
import { FormatError } from './errors.js';

/** First byte of an advance blob (`'$'`). */
export const ADVANCE_BLOB_MAGIC = 0x24;
/** Second byte: cipher version 0 in the high nibble, padding mode 0 in the low one. */
export const ADVANCE_BLOB_CIPHER_VERSION = 0x00;
/** Third byte: the algorithm id of AES-GCM. */
export const ADVANCE_BLOB_ALG_AES_GCM = 0x02;
/** Length of the advance blob's fixed header. */
export const ADVANCE_BLOB_HEADER_LENGTH = 3;
/** Length of a KMS key version id inside a blob. */
export const KEY_VERSION_ID_LENGTH = 36;
/** Length of the GCM IV inside a blob. */
export const BLOB_IV_LENGTH = 12;
/** Length of the GCM tag at the end of a blob. */
export const BLOB_TAG_LENGTH = 16;
/** Shortest OpenAPI blob: version id, IV and tag around an empty ciphertext. */
export const MIN_OPENAPI_BLOB_LENGTH = KEY_VERSION_ID_LENGTH + BLOB_IV_LENGTH + BLOB_TAG_LENGTH;
/** Shortest advance blob. */
export const MIN_ADVANCE_BLOB_LENGTH = ADVANCE_BLOB_HEADER_LENGTH + MIN_OPENAPI_BLOB_LENGTH;
/**
 * Longest blob accepted when parsing: 64 KiB of plaintext (ten times the KMS's recommended 6 KB
 * per call, far below its 3 MB request limit) plus framing. Bounds allocation on hostile input.
 */
export const MAX_BLOB_LENGTH = MIN_ADVANCE_BLOB_LENGTH + 64 * 1024;
/** Longest OpenAPI blob (decoded bytes): the longest advance blob without its 3-byte header. */
export const MAX_OPENAPI_BLOB_LENGTH = MAX_BLOB_LENGTH - ADVANCE_BLOB_HEADER_LENGTH;

/** The parts of a KMS ciphertext blob. */
export interface KmsBlob {
  /** The key version that wrapped the data, 36 printable ASCII characters. */
  readonly keyVersionId: string;
  /** The 12-byte GCM IV. */
  readonly iv: Uint8Array;
  /** The GCM ciphertext followed by its 16-byte tag. */
  readonly ciphertextAndTag: Uint8Array;
}

const FIELD = 'CiphertextBlob';

function isPrintableAscii(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b < 0x21 || b > 0x7e) return false;
  return true;
}

function checkParts(blob: KmsBlob): void {
  if (blob.keyVersionId.length !== KEY_VERSION_ID_LENGTH || !/^[\x21-\x7e]+$/.test(blob.keyVersionId)) {
    throw new FormatError(`KeyVersionId must be ${KEY_VERSION_ID_LENGTH} printable ASCII characters`, { field: 'KeyVersionId' });
  }
  if (blob.iv.length !== BLOB_IV_LENGTH) {
    throw new FormatError(`Iv must be ${BLOB_IV_LENGTH} bytes, got ${blob.iv.length}`, { field: 'Iv' });
  }
  if (blob.ciphertextAndTag.length < BLOB_TAG_LENGTH) {
    throw new FormatError(`ciphertext must hold at least the ${BLOB_TAG_LENGTH}-byte tag`, { field: FIELD });
  }
  if (blob.ciphertextAndTag.length > MAX_BLOB_LENGTH - MIN_ADVANCE_BLOB_LENGTH + BLOB_TAG_LENGTH) {
    throw new FormatError('ciphertext is longer than a KMS blob can be', { field: FIELD });
  }
}

/** Parses the body shared by both forms (version id, IV, ciphertext and tag). */
function parseBody(bytes: Uint8Array, at: number): KmsBlob {
  const idBytes = bytes.subarray(at, at + KEY_VERSION_ID_LENGTH);
  if (!isPrintableAscii(idBytes)) {
    throw new FormatError('KeyVersionId in the blob is not printable ASCII', { field: FIELD, offset: at });
  }
  const ivAt = at + KEY_VERSION_ID_LENGTH;
  return {
    keyVersionId: String.fromCharCode(...idBytes),
    iv: bytes.slice(ivAt, ivAt + BLOB_IV_LENGTH),
    ciphertextAndTag: bytes.slice(ivAt + BLOB_IV_LENGTH),
  };
}

function writeBody(out: Uint8Array, at: number, blob: KmsBlob): void {
  for (let i = 0; i < KEY_VERSION_ID_LENGTH; i++) out[at + i] = blob.keyVersionId.charCodeAt(i);
  out.set(blob.iv, at + KEY_VERSION_ID_LENGTH);
  out.set(blob.ciphertextAndTag, at + KEY_VERSION_ID_LENGTH + BLOB_IV_LENGTH);
}

/** Encodes an advance blob (raw bytes). */
export function encodeAdvanceBlob(blob: KmsBlob): Uint8Array {
  checkParts(blob);
  const out = new Uint8Array(MIN_ADVANCE_BLOB_LENGTH - BLOB_TAG_LENGTH + blob.ciphertextAndTag.length);
  out[0] = ADVANCE_BLOB_MAGIC;
  out[1] = ADVANCE_BLOB_CIPHER_VERSION;
  out[2] = ADVANCE_BLOB_ALG_AES_GCM;
  writeBody(out, ADVANCE_BLOB_HEADER_LENGTH, blob);
  return out;
}

/** Parses an advance blob strictly: magic, cipher version, algorithm, lengths, ASCII version id. */
export function decodeAdvanceBlob(bytes: Uint8Array): KmsBlob {
  if (!(bytes instanceof Uint8Array)) throw new FormatError('advance CiphertextBlob must be bytes', { field: FIELD });
  if (bytes.length < MIN_ADVANCE_BLOB_LENGTH) {
    throw new FormatError(`advance CiphertextBlob is ${bytes.length} bytes, shorter than the minimum ${MIN_ADVANCE_BLOB_LENGTH}`, { field: FIELD });
  }
  if (bytes.length > MAX_BLOB_LENGTH) {
    throw new FormatError(`advance CiphertextBlob is ${bytes.length} bytes, longer than the maximum ${MAX_BLOB_LENGTH}`, { field: FIELD });
  }
  if (bytes[0] !== ADVANCE_BLOB_MAGIC) {
    throw new FormatError('advance CiphertextBlob does not start with the magic byte 0x24', { field: FIELD, offset: 0 });
  }
  if (bytes[1] !== ADVANCE_BLOB_CIPHER_VERSION) {
    throw new FormatError(`unsupported cipher version/padding byte 0x${bytes[1]!.toString(16).padStart(2, '0')}`, { field: FIELD, offset: 1 });
  }
  if (bytes[2] !== ADVANCE_BLOB_ALG_AES_GCM) {
    throw new FormatError(`unsupported algorithm id 0x${bytes[2]!.toString(16).padStart(2, '0')} (only AES_GCM, 0x02)`, { field: FIELD, offset: 2 });
  }
  return parseBody(bytes, ADVANCE_BLOB_HEADER_LENGTH);
}

/** Encodes an OpenAPI blob: base64 of the advance blob without its 3-byte header. */
export function encodeOpenApiBlob(blob: KmsBlob): string {
  return base64.encode(encodeAdvanceBlob(blob).subarray(ADVANCE_BLOB_HEADER_LENGTH));
}

/** Parses an OpenAPI blob strictly (canonical padded base64, lengths, ASCII version id). */
export function decodeOpenApiBlob(text: string): KmsBlob {
  if (typeof text !== 'string') throw new FormatError('OpenAPI CiphertextBlob must be a base64 string', { field: FIELD });
  // Bound before decoding: base64 is 4/3 of the bytes.
  if (text.length > Math.ceil(MAX_OPENAPI_BLOB_LENGTH / 3) * 4) {
    throw new FormatError('OpenAPI CiphertextBlob is too long', { field: FIELD });
  }
  let bytes: Uint8Array;
  try {
    bytes = base64.decode(text);
  } catch (cause) {
    throw new FormatError('OpenAPI CiphertextBlob is not canonical base64', { field: FIELD }, { cause });
  }
  if (bytes.length < MIN_OPENAPI_BLOB_LENGTH) {
    throw new FormatError(`OpenAPI CiphertextBlob is ${bytes.length} bytes, shorter than the minimum ${MIN_OPENAPI_BLOB_LENGTH}`, { field: FIELD });
  }
  if (bytes.length > MAX_OPENAPI_BLOB_LENGTH) {
    throw new FormatError(`OpenAPI CiphertextBlob is ${bytes.length} bytes, longer than the maximum ${MAX_OPENAPI_BLOB_LENGTH}`, { field: FIELD });
  }
  return parseBody(bytes, 0);
}

/** Converts an advance blob to the OpenAPI form, as Alibaba's transfer SDKs do. */
export function advanceToOpenApiBlob(bytes: Uint8Array): string {
  return encodeOpenApiBlob(decodeAdvanceBlob(bytes));
}

/** Converts an OpenAPI blob to the advance form, as Alibaba's transfer SDKs do. */
export function openApiToAdvanceBlob(text: string): Uint8Array {
  return encodeAdvanceBlob(decodeOpenApiBlob(text));
}
