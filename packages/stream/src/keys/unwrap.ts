/**
 * Opening an envelope header: unwrap the data key through the first slot whose KMS is available,
 * then verify the header MAC with it.
 *
 * @module
 */
import { KmsError, encodeContext, getSuite, kmsAad, verifyHeaderMac, zeroize } from '@dek/core';
import type { EnvelopeHeader, KeySlot } from '@dek/core';
import type { AdvanceDecryptRequest } from '@dek/kms-adapter';
import { allowedSlots, isSlotKey } from './allowed-keys.js';
import { describeKmsFailure, type KmsLookup } from './kms.js';

/** Why one slot could not unwrap the data key (listed in `KmsError.details.failures`). */
export interface SlotFailure {
  /** Index of the slot in the header. */
  readonly index: number;
  /** The slot's provider id. */
  readonly kms: string;
  readonly keyId: string;
  /** The KMS error code (e.g. `Forbidden.KeyNotFound`), or `NoKmsForProvider`, `InvalidDataKeyLength`, `UnsupportedAlgorithm`. */
  readonly code: string;
  readonly message: string;
}

/** A data key unwrapped from a header. */
export interface UnwrappedKey {
  /** The data key; zero it when done. */
  readonly dataKey: Uint8Array;
  /** The slot that opened it. */
  readonly slotIndex: number;
}

/** A parsed header together with the bytes the MAC covers. */
export interface HeaderBytes {
  readonly header: EnvelopeHeader;
  /** Prelude and body: bytes 0 .. 9+n, the MAC's message. */
  readonly maced: Uint8Array;
  /** The 32-byte header MAC. */
  readonly mac: Uint8Array;
}

export type { KmsLookup };

/** `bindKey`: name the slot's key, so that the KMS refuses a blob of another key. */
function decryptRequest(slot: KeySlot, aad: Uint8Array, bindKey: boolean): AdvanceDecryptRequest | string {
  if (slot.iv === undefined) return bindKey ? { ciphertextBlob: slot.blob, aad, keyId: slot.keyId } : { ciphertextBlob: slot.blob, aad };
  const algorithm = slot.algorithm ?? 'AES_GCM';
  if (algorithm !== 'AES_GCM') return `unsupported slot algorithm ${algorithm}`;
  return { ciphertextBlob: slot.blob, aad, keyId: slot.keyId, iv: slot.iv, algorithm };
}

/**
 * Tries the slots in order; the first one whose KMS is given and answers with a key of the suite's
 * length wins. KmsError (`details.failures`: one {@link SlotFailure} per slot) when none does.
 * With `lookup.allowed`, only slots naming an allowed key are tried (the others fail with
 * `KeyNotAllowed`), and KeyNotAllowedError is thrown before any unwrap when there is none.
 */
export async function unwrapDataKey(header: EnvelopeHeader, aad: Uint8Array, lookup: KmsLookup): Promise<UnwrappedKey> {
  const keyLength = getSuite(header.suite).keyLength;
  const allowed = lookup.allowed === undefined ? undefined : await allowedSlots(header.slots, lookup.allowed, lookup);
  const failures: SlotFailure[] = [];
  for (const [index, slot] of header.slots.entries()) {
    const fail = (code: string, message: string): void => {
      failures.push({ index, kms: slot.kms, keyId: slot.keyId, code, message });
    };
    if (allowed !== undefined && !allowed[index]) {
      fail('KeyNotAllowed', 'the slot names a key that is not in allowedKeys');
      continue;
    }
    const kms = lookup(slot.kms);
    if (kms === undefined) {
      fail('NoKmsForProvider', `no KMS was given for provider ${slot.kms}`);
      continue;
    }
    const request = decryptRequest(slot, aad, allowed !== undefined);
    if (typeof request === 'string') {
      fail('UnsupportedAlgorithm', request);
      continue;
    }
    let plaintext: unknown;
    let usedKeyId: unknown;
    try {
      ({ plaintext, keyId: usedKeyId } = await kms.advanceDecrypt(request));
    } catch (error) {
      const { code, message } = describeKmsFailure(error);
      fail(code, message);
      continue;
    }
    // A KMS that ignores the key named in the request must still have used it.
    if (allowed !== undefined && !isSlotKey(slot, usedKeyId)) {
      if (plaintext instanceof Uint8Array) zeroize(plaintext);
      fail('KeyNotAllowed', 'the KMS unwrapped with a key other than the slot names');
      continue;
    }
    if (plaintext instanceof Uint8Array && plaintext.length === keyLength) return { dataKey: plaintext, slotIndex: index };
    if (plaintext instanceof Uint8Array) zeroize(plaintext);
    fail('InvalidDataKeyLength', `the unwrapped key is not ${keyLength} bytes long`);
  }
  const summary = failures.map((f) => `#${f.index} ${f.kms} ${f.keyId}: ${f.code}`).join('; ');
  throw new KmsError(`no slot of the envelope could unwrap the data key (${summary})`, { field: 'slots', failures });
}

/**
 * Unwraps the data key (Aad = SHA-256(CTX)) and verifies the header MAC with it. Returns the data
 * key and CTX; on a MAC failure the key is zeroed and HeaderMacError thrown.
 */
export async function unlockHeader(parsed: HeaderBytes, lookup: KmsLookup): Promise<UnwrappedKey & { readonly encodedContext: Uint8Array }> {
  const encodedContext = encodeContext(parsed.header.suite, parsed.header.context);
  const unwrapped = await unwrapDataKey(parsed.header, kmsAad(encodedContext), lookup);
  try {
    verifyHeaderMac(unwrapped.dataKey, parsed.maced, parsed.mac);
  } catch (error) {
    zeroize(unwrapped.dataKey);
    throw error;
  }
  return { ...unwrapped, encodedContext };
}
