import { expect, it, vi } from 'vitest';

// Counts loads of the @noble modules through the test's module graph (the static imports of the
// portable backends); the Node entry's lazy noble AES-GCM requires it outside that graph.
const { noble, counted } = vi.hoisted(() => {
  const noble = { loads: 0 };
  const counted = async <T>(importOriginal: () => Promise<T>): Promise<T> => {
    noble.loads++;
    return importOriginal();
  };
  return { noble, counted };
});
vi.mock('@noble/ciphers/aes.js', counted);
vi.mock('@noble/hashes/sha2.js', counted);
vi.mock('@noble/hashes/hmac.js', counted);

it('the Node entry loads neither @noble package at import, and its noble AES-GCM still works', async () => {
  const core = await import('@dek/core');
  expect(noble.loads).toBe(0);
  expect(core.defaultAesGcm()).toBe(core.nodeAesGcm);
  expect(core.hkdfExpand('SHA-512', new Uint8Array(32), 'x', 16)).toHaveLength(16);
  expect(noble.loads).toBe(0);

  const key = new Uint8Array(32).fill(7);
  const nonce = new Uint8Array(12).fill(1);
  const plaintext = new TextEncoder().encode('loaded on first use');
  const sealed = core.nobleAesGcm.seal(key, nonce, plaintext);
  expect(sealed).toEqual(core.nodeAesGcm.seal(key, nonce, plaintext));
  expect(core.nobleAesGcm.open(key, nonce, sealed)).toEqual(plaintext);
});
