/**
 * The key specs LocalKms implements and how their material is made: `Aliyun_AES_256` (default)
 * and `Aliyun_AES_128` for envelopes, and the asymmetric `RSA_2048`, `RSA_3072`, `EC_P256` and
 * `EC_P256K` with Alibaba's key usages. LocalKms offers no asymmetric crypto call: its
 * symmetric calls refuse these keys with 404 `Forbidden.OnlySymmetricKeySupported`.
 *
 * @module
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeySpec, KeyUsage } from '../admin.js';

/** What LocalKms knows about one key spec. */
export interface LocalKeySpec {
  readonly symmetric: boolean;
  /** The usages CreateKey accepts; the first is the default. */
  readonly usages: readonly [KeyUsage, ...KeyUsage[]];
  /** Fresh key material: raw AES key bytes, or a PKCS#8 DER private key. */
  generate(): Uint8Array;
}

const aes = (bytes: number): LocalKeySpec => ({ symmetric: true, usages: ['ENCRYPT/DECRYPT'], generate: () => new Uint8Array(randomBytes(bytes)) });

const der = (pair: { privateKey: { export(options: { format: 'der'; type: 'pkcs8' }): Buffer } }): Uint8Array =>
  new Uint8Array(pair.privateKey.export({ format: 'der', type: 'pkcs8' }));

const rsa = (modulusLength: number): LocalKeySpec => ({
  symmetric: false,
  usages: ['ENCRYPT/DECRYPT', 'SIGN/VERIFY'],
  generate: () => der(generateKeyPairSync('rsa', { modulusLength })),
});

const ec = (namedCurve: string): LocalKeySpec => ({
  symmetric: false,
  usages: ['SIGN/VERIFY'],
  generate: () => der(generateKeyPairSync('ec', { namedCurve })),
});

const SPECS: Partial<Record<KeySpec, LocalKeySpec>> = {
  Aliyun_AES_256: aes(32),
  Aliyun_AES_128: aes(16),
  RSA_2048: rsa(2048),
  RSA_3072: rsa(3072),
  EC_P256: ec('prime256v1'),
  EC_P256K: ec('secp256k1'),
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
