/**
 * The worked example of docs/FORMAT.md, computed from the implementation with fixed inputs (data
 * key, KMS master key and IV, salt). format-doc.test.ts checks that the document shows exactly this.
 */
import {
  computeHeaderMac,
  decodeHeader,
  defaultAesGcm,
  deriveChunkKeys,
  encodeAdvanceBlob,
  encodeContext,
  headerMacKey,
  kmsAad,
} from '@dek/core';
import type { KeySlot } from '@dek/core';
import { EnvelopeEncryptor, leaseOf } from '@dek/stream';

const bytes = (length: number, start: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (start + i) & 0xff);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The fixed inputs. */
export const EXAMPLE = {
  suite: 'cobblestone-256' as const,
  context: { purpose: 'example', tenant: 'acme' },
  plaintext: new TextEncoder().encode('Hello, dek!\n'),
  dataKey: bytes(32, 0x00),
  masterKey: bytes(32, 0x80),
  kmsIv: bytes(12, 0xc0),
  salt: bytes(24, 0x40),
  keyId: 'key-exampleexample0000000',
  keyVersionId: 'key-exampleexample0000000-v000000001',
};

/** Builds the example envelope and its intermediate values. */
export function buildExample() {
  const ctx = encodeContext(EXAMPLE.suite, EXAMPLE.context);
  const aad = kmsAad(ctx);
  const wrapped = defaultAesGcm().seal(EXAMPLE.masterKey, EXAMPLE.kmsIv, EXAMPLE.dataKey, aad);
  const blob = encodeAdvanceBlob({ keyVersionId: EXAMPLE.keyVersionId, iv: EXAMPLE.kmsIv, ciphertextAndTag: wrapped });
  const slot: KeySlot = { kms: 'local', keyId: EXAMPLE.keyId, keyVersionId: EXAMPLE.keyVersionId, blob };
  const encryptor = new EnvelopeEncryptor({
    suite: EXAMPLE.suite,
    context: EXAMPLE.context,
    lease: leaseOf(EXAMPLE.dataKey.slice(), [slot]),
    salt: EXAMPLE.salt,
  });
  const pieces = [...encryptor.write(EXAMPLE.plaintext), ...encryptor.end()];
  const envelope = Buffer.concat(pieces);
  const decoded = decodeHeader(envelope);
  const keys = deriveChunkKeys(EXAMPLE.suite, EXAMPLE.dataKey, EXAMPLE.salt, ctx);
  return { ctx, aad, blob, envelope: new Uint8Array(envelope), decoded, keys, macKey: headerMacKey(EXAMPLE.dataKey), computeHeaderMac };
}

function hexLines(label: string, b: Uint8Array): string[] {
  const out: string[] = [];
  const text = hex(b);
  for (let i = 0; i < text.length || i === 0; i += 64) out.push(`${i === 0 ? label.padEnd(22) : ''.padEnd(22)}${text.slice(i, i + 64)}`);
  return out;
}

/** The example as the text block FORMAT.md shows. */
export function renderExample(): string {
  const x = buildExample();
  const n = x.decoded.macedLength - 9;
  const h = x.decoded.headerLength;
  const e = x.envelope;
  const lines = [
    `suite                 ${EXAMPLE.suite}`,
    `context               ${JSON.stringify(EXAMPLE.context)}`,
    `plaintext             ${JSON.stringify(new TextDecoder().decode(EXAMPLE.plaintext))} (${EXAMPLE.plaintext.length} bytes)`,
    ...hexLines('data key DK', EXAMPLE.dataKey),
    '',
    ...hexLines('CTX', x.ctx),
    ...hexLines('Aad = SHA-256(CTX)', x.aad),
    ...hexLines('KMS master key', EXAMPLE.masterKey),
    ...hexLines('KMS IV', EXAMPLE.kmsIv),
    ...hexLines('slot blob', x.blob),
    ...hexLines('header MAC key', x.macKey),
    ...hexLines('salt', EXAMPLE.salt),
    ...hexLines('chunk AEAD key', x.keys.aeadKey),
    ...hexLines('chunk base nonce', x.keys.baseNonce),
    '',
    `envelope, ${e.length} bytes (n = ${n}, payload at ${h}):`,
    ...hexLines('[0, 9) prelude', e.subarray(0, 9)),
    ...hexLines(`[9, ${9 + n}) body`, e.subarray(9, 9 + n)),
    ...hexLines(`[${9 + n}, ${h}) MAC`, e.subarray(9 + n, h)),
    ...hexLines(`[${h}, ${h + 24}) salt`, e.subarray(h, h + 24)),
    ...hexLines(`[${h + 24}, ${h + 56}) commit`, e.subarray(h + 24, h + 56)),
    ...hexLines(`[${h + 56}, ${e.length}) chunk 0`, e.subarray(h + 56)),
  ];
  return lines.join('\n');
}
