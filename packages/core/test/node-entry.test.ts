import { expect, it, vi } from 'vitest';

// Counts loads of @noble/ciphers' AES module through the test's module graph (the static import
// of the portable backend); the Node entry's lazy backend requires it outside that graph.
const noble = vi.hoisted(() => ({ loads: 0 }));
vi.mock('@noble/ciphers/aes.js', async (importOriginal) => {
  noble.loads++;
  return importOriginal();
});

it('the Node entry does not load @noble/ciphers at import, and its noble backend still works', async () => {
  const core = await import('@dek/core');
  expect(noble.loads).toBe(0);
  expect(core.defaultAesGcm()).toBe(core.nodeAesGcm);

  const key = new Uint8Array(32).fill(7);
  const nonce = new Uint8Array(12).fill(1);
  const plaintext = new TextEncoder().encode('loaded on first use');
  const sealed = core.nobleAesGcm.seal(key, nonce, plaintext);
  expect(sealed).toEqual(core.nodeAesGcm.seal(key, nonce, plaintext));
  expect(core.nobleAesGcm.open(key, nonce, sealed)).toEqual(plaintext);
});
