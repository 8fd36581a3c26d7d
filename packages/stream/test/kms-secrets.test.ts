/**
 * A KMS may echo what it was sent (a data key, a blob) in its errors, in any encoding, and hang
 * raw bytes on them. The KmsError dek raises keeps the KMS's code and a safe message: no data key
 * or blob in its message, `details` (slot failures included), `cause` or stack.
 */
import { describe, expect, it } from 'vitest';
import { KmsError } from '@dek/core';
import type { AdvanceDecryptRequest, AdvanceEncryptRequest, AdvanceKms } from '@dek/kms-adapter';
import { decrypt, encrypt } from '@dek/stream';
import { assertNoSecret } from '../../../test-support/no-secret.js';
import { FakeKms } from './support/fake-kms.js';

/** An error as a careless KMS client might throw it: the bytes in the message, raw on a property, and a noisy code. */
function leakyError(bytes: Uint8Array): Error {
  const b64 = Buffer.from(bytes).toString('base64');
  // Hex before the echo (a bare run the message keeps no trace of), base64 inside it.
  const message = `the KMS refused ${Buffer.from(bytes).toString('hex')}: server string to sign is:POST&Plaintext%3D${encodeURIComponent(b64)} (${b64})`;
  return Object.assign(new Error(message), { code: `Denied ${b64}`, data: new Uint8Array(bytes), httpStatus: 400 });
}

/** A KMS of provider `provider` whose encrypt and decrypt fail with {@link leakyError}, recording what they were sent. */
function leakyKms(provider: string): AdvanceKms & { sent: Uint8Array[] } {
  const sent: Uint8Array[] = [];
  return {
    provider,
    sent,
    advanceGenerateDataKey: () => Promise.reject(new Error('not used')),
    advanceEncrypt: (request: AdvanceEncryptRequest) => {
      sent.push(request.plaintext.slice());
      return Promise.reject(leakyError(request.plaintext));
    },
    advanceDecrypt: (request: AdvanceDecryptRequest) => {
      sent.push(request.ciphertextBlob.slice());
      return Promise.reject(leakyError(request.ciphertextBlob));
    },
  };
}

const plaintext = new Uint8Array(1000).fill(7);

describe('KMS errors that echo secrets', () => {
  it('wrapping under a second key: the KmsError holds the code, not the data key', async () => {
    const local = new FakeKms('local');
    const leaky = leakyKms('leaky');
    const error = await encrypt(plaintext, { kms: local, keyId: local.createKey(), keys: [{ kms: leaky, keyId: 'k' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsError);
    expect((error as KmsError).details).toMatchObject({ kms: 'leaky', keyId: 'k', code: 'Unknown' });
    expect(leaky.sent).toHaveLength(1);
    assertNoSecret(error, leaky.sent);
  });

  it('unwrapping: the slot failures hold the code, not the blob', async () => {
    const local = new FakeKms('local');
    const envelope = await encrypt(plaintext, { kms: local, keyId: local.createKey() });
    const leaky = leakyKms('local');
    const error = await decrypt(envelope, { kms: leaky }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsError);
    expect(leaky.sent).toHaveLength(1);
    assertNoSecret(error, leaky.sent);
  });
});
