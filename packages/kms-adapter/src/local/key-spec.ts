/**
 * The key specs LocalKms implements and how their material is made: `Aliyun_AES_256` (default),
 * `Aliyun_AES_128`, and `EC_P256` (an asymmetric key, so that the symmetric-only calls can be
 * shown to refuse it).
 *
 * @module
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeySpec, KeyUsage } from '../admin.js';

/** What LocalKms knows about one key spec. */
export interface LocalKeySpec {
  readonly symmetric: boolean;
  readonly defaultUsage: KeyUsage;
  /** Fresh key material: raw AES key bytes, or a PKCS#8 DER private key. */
  generate(): Uint8Array;
}

const SPECS: Partial<Record<KeySpec, LocalKeySpec>> = {
  Aliyun_AES_256: { symmetric: true, defaultUsage: 'ENCRYPT/DECRYPT', generate: () => new Uint8Array(randomBytes(32)) },
  Aliyun_AES_128: { symmetric: true, defaultUsage: 'ENCRYPT/DECRYPT', generate: () => new Uint8Array(randomBytes(16)) },
  EC_P256: {
    symmetric: false,
    defaultUsage: 'SIGN/VERIFY',
    generate: () =>
      new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'der', type: 'pkcs8' })),
  },
};

/** The default key spec of CreateKey. */
export const DEFAULT_KEY_SPEC: KeySpec = 'Aliyun_AES_256';

/** Every key spec Alibaba Cloud KMS documents (LocalKms implements only some). */
export const ALIBABA_KEY_SPECS: readonly KeySpec[] = [
  'Aliyun_AES_256',
  'Aliyun_AES_128',
  'Aliyun_AES_192',
  'Aliyun_SM4',
  'RSA_2048',
  'RSA_3072',
  'EC_P256',
  'EC_P256K',
  'EC_SM2',
];

/** The spec's description, or undefined when LocalKms does not implement it. */
export function localKeySpec(spec: KeySpec): LocalKeySpec | undefined {
  return SPECS[spec];
}
