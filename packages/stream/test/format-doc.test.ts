import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeAdvanceBlob, defaultAesGcm, kmsAad, verifyHeaderMac } from '@dek/core';
import { EnvelopeDecryptor, inspect } from '@dek/stream';
import { EXAMPLE, buildExample, renderExample } from './support/format-example.js';

const doc = readFileSync(new URL('../../../docs/FORMAT.md', import.meta.url), 'utf8');

describe('docs/FORMAT.md worked example', () => {
  it('shows exactly what the implementation produces', () => {
    const match = /<!-- format-example:begin -->\n```text\n([\s\S]*?)\n```\n<!-- format-example:end -->/.exec(doc);
    expect(match, 'the example block is missing from FORMAT.md').not.toBeNull();
    expect(match![1]).toBe(renderExample());
  });

  it('the example envelope opens: blob unwraps under the KMS key with Aad = SHA-256(CTX), MAC verifies, plaintext comes back', async () => {
    const x = buildExample();
    const slot = x.decoded.header.slots[0]!;
    const parts = decodeAdvanceBlob(slot.blob);
    expect(parts.keyVersionId).toBe(EXAMPLE.keyVersionId);
    expect(defaultAesGcm().open(EXAMPLE.masterKey, parts.iv, parts.ciphertextAndTag, kmsAad(x.ctx))).toEqual(EXAMPLE.dataKey);
    verifyHeaderMac(EXAMPLE.dataKey, x.envelope.subarray(0, x.decoded.macedLength), x.decoded.mac);
    const decryptor = new EnvelopeDecryptor();
    decryptor.write(x.envelope);
    expect(decryptor.needsKey).toBe(true);
    const out = [...decryptor.unlockWithDataKey(EXAMPLE.dataKey), ...decryptor.end()];
    expect(Buffer.concat(out).toString()).toBe('Hello, dek!\n');
    const info = await inspect(x.envelope);
    expect(info).toMatchObject({ authenticated: false, suite: EXAMPLE.suite, context: EXAMPLE.context, headerLength: 308, plaintextLength: 12 });
  });

  it('documents the offsets the implementation uses', () => {
    expect(doc).toContain('41 + n + 56 + k * 16400');
    expect(doc).toContain('"dek/v1 header-mac"');
    expect(doc).toContain('"c2sp.org/chunked-encryption@v1+"');
  });
});
