/**
 * The peers, in memory: the AWS Encryption SDK for JavaScript (`@aws-crypto/client-node`, raw AES
 * keyring, so no network) with its default suite (key commitment + ECDSA P-384 signature, 4 KiB
 * frames) and with the committing suite without signature at 64 KiB frames; and age
 * (`age-encryption`, X25519 recipient).
 */
import { randomBytes } from 'node:crypto';
import aws from '@aws-crypto/client-node';
import { Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';

/** Encrypt and decrypt of one system over whole buffers. */
export interface Codec {
  encrypt(plaintext: Uint8Array): Promise<Uint8Array>;
  decrypt(ciphertext: Uint8Array): Promise<Uint8Array>;
}

const context = { purpose: 'bench' };

/** AWS Encryption SDK with a raw AES-256 keyring; `committingNoSignature` picks suite 0x0478 at 64 KiB frames. */
export function awsCodec(committingNoSignature: boolean): Codec {
  const { buildClient, CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier, AlgorithmSuiteIdentifier } = aws;
  const client = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const keyring = new RawAesKeyringNode({
    keyName: 'bench',
    keyNamespace: 'dek-bench',
    unencryptedMasterKey: randomBytes(32),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  const options = committingNoSignature
    ? { encryptionContext: context, suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY, frameLength: 64 * 1024 }
    : { encryptionContext: context };
  return {
    encrypt: async (plaintext) => (await client.encrypt(keyring, plaintext, options)).result,
    decrypt: async (ciphertext) => (await client.decrypt(keyring, ciphertext)).plaintext,
  };
}

/** age with one X25519 recipient. */
export async function ageCodec(): Promise<Codec> {
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  return {
    encrypt: (plaintext) => {
      const encrypter = new Encrypter();
      encrypter.addRecipient(recipient);
      return encrypter.encrypt(plaintext);
    },
    decrypt: (ciphertext) => {
      const decrypter = new Decrypter();
      decrypter.addIdentity(identity);
      return decrypter.decrypt(ciphertext);
    },
  };
}
