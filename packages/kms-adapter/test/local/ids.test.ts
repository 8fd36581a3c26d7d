import { describe, expect, test } from 'vitest';
import { isAliasName, isKeyId, isKeyVersionId } from '@dek/kms-adapter';
import { keyIdOfVersion, newKeyId, newKeyVersionId, randomAlphanumerics } from '../../src/local/ids.js';

describe('ids', () => {
  test('key ids are key- + 21 lowercase alphanumerics, version ids <keyId>- + 10 (36 chars)', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const keyId = newKeyId();
      expect(keyId).toMatch(/^key-[0-9a-z]{21}$/);
      expect(isKeyId(keyId)).toBe(true);
      const versionId = newKeyVersionId(keyId);
      expect(versionId).toHaveLength(36);
      expect(versionId.startsWith(`${keyId}-`)).toBe(true);
      expect(isKeyVersionId(versionId)).toBe(true);
      expect(keyIdOfVersion(versionId)).toBe(keyId);
      ids.add(keyId);
    }
    expect(ids.size).toBe(200);
  });

  test('the sampler rejects bytes >= 252 and maps the rest modulo 36 (no bias)', () => {
    const feed = [252, 253, 255, 0, 35, 36, 251, 71];
    let at = 0;
    const source = (n: number) => Uint8Array.from({ length: n }, () => feed[at++ % feed.length]!);
    // 0 -> '0', 35 -> 'z', 36 -> '0', 251 -> 251 % 36 = 35 -> 'z', 71 -> 35 -> 'z'
    expect(randomAlphanumerics(5, source)).toBe('0z0zz');
    // every accepted byte value hits each of the 36 characters exactly 7 times
    const counts = new Map<string, number>();
    for (let b = 0; b < 252; b++) {
      const c = randomAlphanumerics(1, () => Uint8Array.of(b));
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(counts.size).toBe(36);
    expect(new Set(counts.values())).toEqual(new Set([7]));
  });

  test('rejects malformed ids and aliases', () => {
    expect(isKeyId('key-ABCDEFGHIJKLMNOPQRSTU')).toBe(false);
    expect(isKeyId('key-abc')).toBe(false);
    expect(isKeyVersionId('key-aaaaaaaaaaaaaaaaaaaaa-aaaaaaaaa')).toBe(false);
    expect(keyIdOfVersion('2ab1a983-7072-4bbc-a582-584b5bd8abcd')).toBeUndefined();
    expect(isAliasName('alias/ok:with/slash_and-dash9')).toBe(true);
    expect(isAliasName(`alias/${'a'.repeat(255)}`)).toBe(true);
    expect(isAliasName(`alias/${'a'.repeat(256)}`)).toBe(false);
    expect(isAliasName('alias/')).toBe(false);
    expect(isAliasName('alias/space here')).toBe(false);
    expect(isAliasName('default')).toBe(false);
  });
});
