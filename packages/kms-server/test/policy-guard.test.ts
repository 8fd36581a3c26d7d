/**
 * The policy guard around the backend: which key each call is checked against (resolved
 * aliases, the key inside a blob, the named key of the transfer form), the alias and account
 * resources, and that the call then uses the very key that was checked.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { LocalKms } from '@dek/kms-adapter';
import { PolicySet } from '@dek/kms-server';
import { ramNames } from '../src/policy/dialects.js';
import { guardBackend, type Denial, type RequestTrace } from '../src/policy/guard.js';

const names = ramNames({ region: 'local', accountId: '0' });

class Denied extends Error {
  constructor(readonly denial: Denial) {
    super('denied');
  }
}

let kms: LocalKms;
let a: string;
let b: string;

beforeEach(async () => {
  kms = new LocalKms();
  a = (await kms.createKey()).keyMetadata.keyId;
  b = (await kms.createKey()).keyMetadata.keyId;
  await kms.createAlias({ aliasName: 'alias/a', keyId: a });
});

function guarded(statements: unknown[], action: string, trace: RequestTrace = {}, backend: LocalKms = kms) {
  const policy = PolicySet.parse(JSON.stringify({ ME: { Version: '1', Statement: statements } }));
  return guardBackend({ kms: backend, policy, names, trace, deny: (d) => new Denied(d) }, 'ME', action);
}

async function denial(call: Promise<unknown>): Promise<Denial> {
  const e = await call.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(Denied);
  return (e as Denied).denial;
}

describe('guardBackend', () => {
  it('checks a call by alias against the key, and a decrypt against the key inside the blob', async () => {
    const onA = guarded([{ Effect: 'Allow', Action: 'kms:Advance*', Resource: `acs:kms:*:*:key/${a}` }], 'AdvanceEncrypt');
    const e = await onA.advanceEncrypt({ keyId: 'alias/a', plaintext: new Uint8Array([1]) });
    expect(e.keyId).toBe(a);
    expect(await denial(onA.advanceEncrypt({ keyId: b, plaintext: new Uint8Array([1]) }))).toEqual({
      credentialId: 'ME',
      action: 'kms:AdvanceEncrypt',
      resource: `acs:kms:local:0:key/${b}`,
      explicit: false,
    });
    const underB = await kms.advanceEncrypt({ keyId: b, plaintext: new Uint8Array([2]) });
    const decrypt = guarded([{ Effect: 'Allow', Action: 'kms:AdvanceDecrypt', Resource: `acs:kms:*:*:key/${a}` }], 'AdvanceDecrypt');
    expect((await decrypt.advanceDecrypt({ ciphertextBlob: e.ciphertextBlob })).plaintext).toEqual(new Uint8Array([1]));
    // Naming key a does not help a blob of key b.
    expect((await denial(decrypt.advanceDecrypt({ ciphertextBlob: underB.ciphertextBlob, keyId: a }))).resource).toBe(`acs:kms:local:0:key/${b}`);
  });

  it('checks the transfer form (an IV given) against the named key', async () => {
    const g = await kms.generateDataKey({ keyId: b });
    const decrypt = guarded([{ Effect: 'Allow', Action: 'kms:AdvanceDecrypt', Resource: `acs:kms:*:*:key/${a}` }], 'AdvanceDecrypt');
    expect((await denial(decrypt.advanceDecrypt({ ciphertextBlob: g.ciphertextBlob, keyId: b, iv: g.iv }))).resource).toBe(`acs:kms:local:0:key/${b}`);
    g.plaintext.fill(0);
  });

  it('checks an advance blob sent with an Iv (the official SDKs\' form) against the blob\'s key, not the named one', async () => {
    const underB = await kms.advanceEncrypt({ keyId: b, plaintext: new Uint8Array([4]) });
    const iv = underB.ciphertextBlob.subarray(39, 51);
    const decrypt = guarded([{ Effect: 'Allow', Action: 'kms:AdvanceDecrypt', Resource: `acs:kms:*:*:key/${a}` }], 'AdvanceDecrypt');
    expect((await denial(decrypt.advanceDecrypt({ ciphertextBlob: underB.ciphertextBlob, keyId: a, iv }))).resource).toBe(`acs:kms:local:0:key/${b}`);
    expect((await denial(decrypt.advanceDecrypt({ ciphertextBlob: underB.ciphertextBlob, iv }))).resource).toBe(`acs:kms:local:0:key/${b}`);
  });

  it('checks a decrypt that names only the key version (x-kms-migrationkeyversionid) against that version\'s key', async () => {
    const e = await kms.encrypt({ keyId: a, plaintext: new Uint8Array([5]) });
    const request = { ciphertextBlob: e.ciphertextBlob, keyVersionId: e.keyVersionId, iv: e.iv, algorithm: e.algorithm };
    const onA = guarded([{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: `acs:kms:*:*:key/${a}` }], 'Decrypt');
    expect((await onA.decrypt(request)).plaintext).toEqual(new Uint8Array([5]));
    const onB = guarded([{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: `acs:kms:*:*:key/${b}` }], 'Decrypt');
    expect((await denial(onB.decrypt(request))).resource).toBe(`acs:kms:local:0:key/${a}`);
  });

  it('matches a key by its aliases, and calls the backend with the key that was checked', async () => {
    const trace: RequestTrace = {};
    const onAlias = [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: 'acs:kms:*:*:alias/a' }];
    const seen: unknown[] = [];
    const spy = new Proxy(kms, {
      get: (target, property) => {
        const value: unknown = Reflect.get(target, property);
        if (property !== 'advanceEncrypt' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
        return (request: unknown) => (seen.push(request), (value as (r: unknown) => unknown).call(target, request));
      },
    });
    const r = await guarded(onAlias, 'Encrypt', trace, spy).advanceEncrypt({ keyId: 'alias/a', plaintext: new Uint8Array([3]) });
    expect(seen).toEqual([expect.objectContaining({ keyId: a })]);
    expect(trace).toMatchObject({ credentialId: 'ME', action: 'Encrypt', keyId: a, keyVersionId: r.keyVersionId });
    const backend = guarded(onAlias, 'Encrypt');
    await backend.advanceEncrypt({ keyId: a, plaintext: new Uint8Array([1]) });
    await denial(backend.advanceEncrypt({ keyId: b, plaintext: new Uint8Array([1]) }));
    await denial(backend.advanceEncrypt({ keyId: 'alias/missing', plaintext: new Uint8Array([1]) }));
  });

  it('checks alias calls against the alias too, and key-less calls against the account resource', async () => {
    const admin = guarded(
      [
        { Effect: 'Allow', Action: ['kms:CreateAlias', 'kms:ListKeys'], Resource: ['acs:kms:*:*:key/*', 'acs:kms:*:*:key'] },
        { Effect: 'Allow', Action: 'kms:CreateAlias', Resource: 'acs:kms:*:*:alias/team/*' },
      ],
      'CreateAlias',
    );
    await admin.createAlias({ aliasName: 'alias/team/x', keyId: b });
    expect((await denial(admin.createAlias({ aliasName: 'alias/other', keyId: b }))).resource).toBe('acs:kms:local:0:alias/other');
    const lister = guarded([{ Effect: 'Allow', Action: 'kms:ListKeys', Resource: 'acs:kms:*:*:key' }], 'ListKeys');
    expect((await lister.listKeys({})).keys).toHaveLength(2);
    expect((await denial(guarded([{ Effect: 'Allow', Action: 'kms:ListKeys', Resource: 'acs:kms:*:*:key/*' }], 'ListKeys').listKeys({}))).resource).toBe(
      'acs:kms:local:0:key',
    );
  });
});
