/**
 * The header MAC (DESIGN.md, "Key schedule"):
 *
 * ```
 * MAC = HMAC-SHA-256(key = HKDF-Expand-SHA-512(prk = DK, info = "dek/v1 header-mac", 32), message = bytes 0 .. 9+n)
 * ```
 *
 * @module
 */
import { constantTimeEqual, zeroize } from '../bytes.js';
import { ArgumentError, HeaderMacError } from '../errors.js';
import { defaultHashes } from '../hashes/hashes.js';
import { hkdfExpand } from '../hkdf.js';
import { HEADER_MAC_LENGTH } from './limits.js';

/** HKDF info of the header MAC key. */
const MAC_KEY_INFO = 'dek/v1 header-mac';
/** Length of the header MAC key. */
const MAC_KEY_LENGTH = 32;

function checkDataKey(dataKey: Uint8Array): void {
  if (!(dataKey instanceof Uint8Array) || (dataKey.length !== 16 && dataKey.length !== 32)) {
    throw new ArgumentError('data key must be a 16- or 32-byte Uint8Array', { field: 'key' });
  }
}

function checkBytes(value: Uint8Array, field: string): void {
  if (!(value instanceof Uint8Array)) throw new ArgumentError(`${field} must be a Uint8Array`, { field });
}

/**
 * The 32-byte header MAC key: HKDF-Expand-SHA-512(prk = dataKey, info = "dek/v1 header-mac", 32).
 * The data key is 16 or 32 bytes (ArgumentError, field `key`, otherwise). Zero the result after use.
 */
export function headerMacKey(dataKey: Uint8Array): Uint8Array {
  checkDataKey(dataKey);
  return hkdfExpand('SHA-512', dataKey, MAC_KEY_INFO, MAC_KEY_LENGTH);
}

/** HMAC-SHA-256 of the maced header bytes (`0 .. 9+n`) under the data key's header MAC key. */
export function computeHeaderMac(dataKey: Uint8Array, maced: Uint8Array): Uint8Array {
  checkBytes(maced, 'maced');
  const key = headerMacKey(dataKey);
  try {
    return defaultHashes().hmac('SHA-256', key, maced);
  } finally {
    zeroize(key);
  }
}

/**
 * Checks the header MAC in constant time; throws HeaderMacError (field `mac`) when it does not
 * match (wrong data key, or a changed header) or is not 32 bytes.
 */
export function verifyHeaderMac(dataKey: Uint8Array, maced: Uint8Array, mac: Uint8Array): void {
  checkBytes(mac, 'mac');
  const expected = computeHeaderMac(dataKey, maced);
  const ok = mac.length === HEADER_MAC_LENGTH && constantTimeEqual(expected, mac);
  zeroize(expected);
  if (!ok) throw new HeaderMacError('header MAC does not verify: wrong data key or a modified header', { field: 'mac' });
}
