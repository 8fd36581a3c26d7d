import { describe, expect, it } from 'vitest';
import { HeaderMacError, StateError, TruncatedError } from '@dek/core';
import { EnvelopeDecryptor, EnvelopeEncryptor, createEnvelopeEncryptor, leaseOf } from '@dek/stream';
import { FakeKms } from './support/fake-kms.js';
import { concat, pseudoRandomBytes, sameBytes } from './support/streams.js';

const kms = new FakeKms();
const keyId = kms.createKey();

describe('EnvelopeEncryptor', () => {
  it('emits the header first, whole sealed chunks per write, and refuses use after end', async () => {
    const encryptor = await createEnvelopeEncryptor({ kms, keyId });
    const first = encryptor.write(new Uint8Array(10));
    expect(first[0]).toBe(encryptor.header);
    expect(first).toHaveLength(2); // header, payload header; no chunk yet
    const more = encryptor.write(new Uint8Array(3 * 16384));
    expect(more).toHaveLength(1);
    expect(more[0]!.length).toBe(3 * 16400); // three chunks in one piece
    expect(encryptor.plaintextLength).toBe(3 * 16384 + 10);
    const end = encryptor.end();
    expect(end[0]!.length).toBe(10 + 16);
    expect(() => encryptor.write(new Uint8Array(1))).toThrow(StateError);
    expect(() => encryptor.end()).toThrow(StateError);
  });

  it('zeroes the lease key once it has derived its keys; dispose() stops it', () => {
    const dataKey = pseudoRandomBytes(32, 1);
    const encryptor = new EnvelopeEncryptor({ lease: leaseOf(dataKey, [{ kms: 'local', keyId: 'k', blob: new Uint8Array(5) }]) });
    expect(dataKey.every((b) => b === 0)).toBe(true);
    encryptor.dispose();
    expect(() => encryptor.write(new Uint8Array(1))).toThrow(StateError);
  });

  it('refuses a lease whose key does not fit the suite', () => {
    const lease = leaseOf(new Uint8Array(16), [{ kms: 'local', keyId: 'k', blob: new Uint8Array(5) }]);
    expect(() => new EnvelopeEncryptor({ lease })).toThrow(expect.objectContaining({ code: 'DEK_ARGUMENT' }));
    expect(lease.dataKey.every((b) => b === 0)).toBe(true);
  });
});

describe('EnvelopeDecryptor', () => {
  it('buffers until the header is complete, then needs the key', async () => {
    const plaintext = pseudoRandomBytes(40000, 2);
    const encryptor = await createEnvelopeEncryptor({ kms, keyId });
    const envelope = concat([...encryptor.write(plaintext), ...encryptor.end()]);
    const decryptor = new EnvelopeDecryptor({ kms });
    expect(decryptor.write(envelope.subarray(0, 5))).toEqual([]);
    expect(decryptor.needsKey).toBe(false);
    expect(decryptor.header).toBeUndefined();
    expect(decryptor.write(envelope.subarray(5, 20000))).toEqual([]);
    expect(decryptor.needsKey).toBe(true);
    expect(decryptor.authenticated).toBe(false);
    expect(() => decryptor.end()).toThrow(StateError);
    const out = await decryptor.unlock();
    expect(decryptor.authenticated).toBe(true);
    out.push(...decryptor.write(envelope.subarray(20000)), ...decryptor.end());
    expect(sameBytes(concat(out), plaintext)).toBe(true);
    expect(() => decryptor.write(new Uint8Array(1))).toThrow(StateError);
  });

  it('errors are sticky', async () => {
    const encryptor = await createEnvelopeEncryptor({ kms, keyId });
    const envelope = concat([...encryptor.write(new Uint8Array(5)), ...encryptor.end()]);
    const decryptor = new EnvelopeDecryptor();
    decryptor.write(envelope);
    expect(() => decryptor.unlockWithDataKey(new Uint8Array(32))).toThrow(HeaderMacError);
    expect(() => decryptor.write(new Uint8Array(1))).toThrow(HeaderMacError);
    expect(() => decryptor.end()).toThrow(HeaderMacError);
    await expect(decryptor.unlock()).rejects.toBeInstanceOf(HeaderMacError);
  });

  it('without a KMS, unlock() is a StateError; end() inside the header is a TruncatedError', () => {
    const decryptor = new EnvelopeDecryptor();
    decryptor.write(new Uint8Array([0x89, 0x44]));
    expect(() => decryptor.end()).toThrow(TruncatedError);
    const other = new EnvelopeDecryptor();
    return expect(other.unlock()).rejects.toBeInstanceOf(StateError);
  });
});
