import { describe, expect, it } from 'vitest';
import { ArgumentError, KmsError, StateError, decodeHeader } from '@dek/core';
import { CachingDataKeyProvider, decrypt, encrypt, encryptStream, inspect } from '@dek/stream';
import type { DataKeyLease, DataKeyProvider } from '@dek/stream';
import { FakeKms, kmsError } from './support/fake-kms.js';
import { pseudoRandomBytes, runNode, sameBytes, splitBy } from './support/streams.js';

/** A FakeKms that remembers every data key it handed out (to check they get zeroed). */
function recordingKms(provider = 'local'): { kms: FakeKms; keys: Uint8Array[] } {
  const kms = new FakeKms(provider);
  const keys: Uint8Array[] = [];
  const generate = kms.advanceGenerateDataKey.bind(kms);
  kms.advanceGenerateDataKey = async (request) => {
    const response = await generate(request);
    keys.push(response.plaintext);
    return response;
  };
  return { kms, keys };
}

const isZero = (bytes: Uint8Array): boolean => bytes.every((b) => b === 0);

async function payloadHeader(envelope: Uint8Array): Promise<string> {
  const { headerLength } = await inspect(envelope);
  return Buffer.from(envelope.subarray(headerLength, headerLength + 56)).toString('hex');
}

describe('CachingDataKeyProvider', () => {
  it('reuses one data key and its slots for messages with the same suite, keys and context; each has its own salt', async () => {
    const { kms } = recordingKms();
    const keyId = kms.createKey();
    const cache = new CachingDataKeyProvider({ maxAge: 60_000 });
    const envelopes: Uint8Array[] = [];
    for (let i = 0; i < 5; i++) envelopes.push(await encrypt(pseudoRandomBytes(100 + i, i + 1), { kms, keyId, context: { app: 'x' }, dataKeys: cache }));
    expect(kms.calls.generate).toBe(1);
    const blobs = new Set<string>();
    const salts = new Set<string>();
    for (const [i, envelope] of envelopes.entries()) {
      expect(sameBytes(await decrypt(envelope, { kms }), pseudoRandomBytes(100 + i, i + 1))).toBe(true);
      blobs.add(Buffer.from(decodeHeader(envelope).header.slots[0]!.blob).toString('hex'));
      salts.add(await payloadHeader(envelope));
    }
    expect(salts.size).toBe(5);
    expect(blobs.size).toBe(1);
    expect(cache.size).toBe(1);
    cache.close();
  });

  it('the cache key includes the context, the suite, the key list and the KMS instance', async () => {
    const { kms } = recordingKms();
    const keyId = kms.createKey('alias/backup');
    const extra = kms.createKey();
    const cache = new CachingDataKeyProvider({ maxAge: 60_000 });
    const go = (options: Partial<Parameters<typeof encrypt>[1]>) => encrypt(new Uint8Array(10), { kms, keyId, dataKeys: cache, ...options });
    await go({ context: { a: '1' } });
    await go({ context: { a: '1' } });
    expect(kms.calls.generate).toBe(1);
    const other = await go({ context: { a: '2' } });
    expect(kms.calls.generate).toBe(2);
    // The other context's message needs its own wrapped key: its Aad binds the context.
    expect((await inspect(other)).context).toEqual({ a: '2' });
    expect(sameBytes(await decrypt(other, { kms }), new Uint8Array(10))).toBe(true);
    await go({ context: { a: '1' }, suite: 'cobblestone-128' });
    expect(kms.calls.generate).toBe(3);
    await go({ context: { a: '1' }, keys: [{ keyId: extra }] });
    expect(kms.calls.generate).toBe(4);
    // Another KMS with the same provider id and the same alias is another key.
    const twin = recordingKms();
    twin.kms.createKey('alias/backup');
    await encrypt(new Uint8Array(1), { kms: twin.kms, keyId: 'alias/backup', dataKeys: cache, context: { a: '1' } });
    expect(twin.kms.calls.generate).toBe(1);
    cache.close();
  });

  it('asks the KMS again after maxMessages, and zeroes the retired key', async () => {
    const { kms, keys } = recordingKms();
    const keyId = kms.createKey();
    const cache = new CachingDataKeyProvider({ maxAge: 60_000, maxMessages: 3 });
    for (let i = 0; i < 7; i++) await encrypt(new Uint8Array(1), { kms, keyId, dataKeys: cache });
    expect(kms.calls.generate).toBe(3);
    expect(isZero(keys[0]!)).toBe(true);
    expect(isZero(keys[1]!)).toBe(true);
    expect(isZero(keys[2]!)).toBe(false); // still cached, one message left
    cache.close();
    expect(isZero(keys[2]!)).toBe(true);
  });

  it('asks the KMS again after maxAge (injected clock)', async () => {
    const { kms, keys } = recordingKms();
    const keyId = kms.createKey();
    let now = 1_000;
    const cache = new CachingDataKeyProvider({ maxAge: 500, now: () => now });
    await encrypt(new Uint8Array(1), { kms, keyId, dataKeys: cache });
    now += 499;
    await encrypt(new Uint8Array(1), { kms, keyId, dataKeys: cache });
    expect(kms.calls.generate).toBe(1);
    now += 1;
    await encrypt(new Uint8Array(1), { kms, keyId, dataKeys: cache });
    expect(kms.calls.generate).toBe(2);
    expect(isZero(keys[0]!)).toBe(true);
    cache.close();
  });

  it('counts bytes as they are encrypted: a message that crosses maxBytes finishes with its key, then the entry retires', async () => {
    const { kms, keys } = recordingKms();
    const keyId = kms.createKey();
    const cache = new CachingDataKeyProvider({ maxAge: 60_000, maxBytes: 50_000 });
    const first = await runNode(encryptStream({ kms, keyId, dataKeys: cache }), splitBy(pseudoRandomBytes(40_000, 1), [4096]));
    expect(cache.size).toBe(1);
    const crossing = pseudoRandomBytes(30_000, 2);
    const second = await runNode(encryptStream({ kms, keyId, dataKeys: cache }), splitBy(crossing, [5000]));
    expect(kms.calls.generate).toBe(1);
    expect(cache.size).toBe(0);
    expect(isZero(keys[0]!)).toBe(true);
    expect(sameBytes(await decrypt(second.output, { kms }), crossing)).toBe(true);
    expect(sameBytes(await decrypt(first.output, { kms }), pseudoRandomBytes(40_000, 1))).toBe(true);
    await encrypt(new Uint8Array(1), { kms, keyId, dataKeys: cache });
    expect(kms.calls.generate).toBe(2);
    cache.close();
  });

  it('concurrent messages share one KMS call, within maxMessages', async () => {
    const { kms } = recordingKms();
    const keyId = kms.createKey();
    const cache = new CachingDataKeyProvider({ maxAge: 60_000, maxMessages: 3 });
    const envelopes = await Promise.all(Array.from({ length: 10 }, (_, i) => encrypt(new Uint8Array([i]), { kms, keyId, dataKeys: cache })));
    expect(kms.calls.generate).toBe(4);
    for (const [i, envelope] of envelopes.entries()) expect(await decrypt(envelope, { kms })).toEqual(new Uint8Array([i]));
    cache.close();
  });

  it('each message gets a private copy of the key, zeroed once the encryptor derived its keys', async () => {
    const { kms } = recordingKms();
    const keyId = kms.createKey();
    const cache = new CachingDataKeyProvider({ maxAge: 60_000 });
    const leases: DataKeyLease[] = [];
    const spy: DataKeyProvider = {
      acquire: async (request) => {
        const lease = await cache.acquire(request);
        leases.push(lease);
        return lease;
      },
    };
    await encrypt(new Uint8Array(5), { kms, keyId, dataKeys: spy });
    await encrypt(new Uint8Array(5), { kms, keyId, dataKeys: spy });
    expect(leases[0]!.dataKey).not.toBe(leases[1]!.dataKey);
    expect(leases.every((l) => isZero(l.dataKey))).toBe(true);
    cache.close();
  });

  it('a KMS failure caches nothing and the next message asks again', async () => {
    const kms = new FakeKms();
    const keyId = kms.createKey();
    const cache = new CachingDataKeyProvider({ maxAge: 60_000 });
    kms.hook = () => kmsError(503, 'ServiceUnavailableTemporary', 'busy');
    await expect(encrypt(new Uint8Array(1), { kms, keyId, dataKeys: cache })).rejects.toBeInstanceOf(KmsError);
    expect(cache.size).toBe(0);
    kms.hook = undefined;
    await encrypt(new Uint8Array(1), { kms, keyId, dataKeys: cache });
    expect(cache.size).toBe(1);
    cache.close();
  });

  it('after close(), acquire throws StateError; a fetch in flight is discarded', async () => {
    const { kms, keys } = recordingKms();
    const keyId = kms.createKey();
    const cache = new CachingDataKeyProvider({ maxAge: 60_000 });
    const inFlight = encrypt(new Uint8Array(1), { kms, keyId, dataKeys: cache });
    cache.close();
    await expect(inFlight).rejects.toBeInstanceOf(StateError);
    expect(isZero(keys[0]!)).toBe(true);
    await expect(encrypt(new Uint8Array(1), { kms, keyId, dataKeys: cache })).rejects.toBeInstanceOf(StateError);
  });

  it('validates its limits', () => {
    expect(() => new CachingDataKeyProvider({} as never)).toThrow(ArgumentError);
    expect(() => new CachingDataKeyProvider({ maxAge: 0 })).toThrow(ArgumentError);
    expect(() => new CachingDataKeyProvider({ maxAge: 10, maxMessages: 1.5 })).toThrow(expect.objectContaining({ details: { field: 'maxMessages' } }));
    expect(() => new CachingDataKeyProvider({ maxAge: 10, maxBytes: -1 })).toThrow(ArgumentError);
    expect(() => new CachingDataKeyProvider({ maxAge: 10, maxEntries: 0 })).toThrow(ArgumentError);
  });

  it('evicts the least recently used entry beyond maxEntries (and zeroes it)', async () => {
    const { kms, keys } = recordingKms();
    const keyId = kms.createKey();
    const cache = new CachingDataKeyProvider({ maxAge: 60_000, maxEntries: 2 });
    const go = (v: string) => encrypt(new Uint8Array(1), { kms, keyId, dataKeys: cache, context: { v } });
    await go('a');
    await go('b');
    await go('a'); // a is now the most recent
    await go('c'); // evicts b
    expect(cache.size).toBe(2);
    expect(isZero(keys[1]!)).toBe(true);
    expect(isZero(keys[0]!)).toBe(false);
    await go('a');
    expect(kms.calls.generate).toBe(3);
    cache.close();
  });
});
