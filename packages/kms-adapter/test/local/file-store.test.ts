import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FileKeyStore, KeystoreError, KmsServiceError, LocalKms } from '@dek/kms-adapter';
import { contentMac, deriveKeystoreKeys } from '../../src/local/keystore-crypto.js';
import { expectKmsError, FakeClock } from '../helpers.js';

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dek-kms-file-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const masterKey = randomBytes(32);

async function freshStore(options: Parameters<typeof FileKeyStore.create>[2] = {}) {
  const path = join(root, `ks-${n++}.json`);
  return { path, store: await FileKeyStore.create(path, masterKey, options) };
}

interface FileJson {
  format: string;
  version: number;
  keystoreId: string;
  masterKeyCheck: string;
  content: {
    revision: number;
    keys: Array<{ keyId: string; keyState: string; versions: Array<{ keyVersionId: string; iv: string; material: string }> }>;
    aliases: unknown[];
  };
  mac: string;
}
const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as FileJson;
const writeJson = (path: string, json: unknown) => writeFile(path, JSON.stringify(json, null, 2));

describe('FileKeyStore', () => {
  test('keys, versions, aliases and states persist across opens; the file is 0600', async () => {
    const clock = new FakeClock();
    const { path, store } = await freshStore();
    const kms = new LocalKms({ store, now: clock.now });
    const keyId = (await kms.createKey({ enableAutomaticRotation: true, rotationInterval: '7d' })).keyMetadata.keyId;
    await kms.createAlias({ aliasName: 'alias/app', keyId });
    const old = await kms.advanceGenerateDataKey({ keyId: 'alias/app', numberOfBytes: 32 });
    const basic = await kms.generateDataKey({ keyId });
    clock.advanceDays(8); // lazy rotation, persisted
    const rotated = await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 32 });
    expect(rotated.keyVersionId).not.toBe(old.keyVersionId);
    const ec = (await kms.createKey({ keySpec: 'EC_P256' })).keyMetadata.keyId;
    await kms.disableKey({ keyId: ec });
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    const reopened = new LocalKms({ store: await FileKeyStore.open(path, masterKey), now: clock.now });
    expect((await reopened.advanceDecrypt({ ciphertextBlob: old.ciphertextBlob })).plaintext).toEqual(old.plaintext);
    expect((await reopened.advanceDecrypt({ ciphertextBlob: rotated.ciphertextBlob })).plaintext).toEqual(rotated.plaintext);
    expect((await reopened.decrypt({ ciphertextBlob: basic.ciphertextBlob, keyId, iv: basic.iv, algorithm: 'AES_GCM' })).plaintext).toEqual(basic.plaintext);
    expect((await reopened.describeKey({ keyId: 'alias/app' })).keyMetadata).toEqual((await kms.describeKey({ keyId })).keyMetadata);
    expect((await reopened.describeKey({ keyId: ec })).keyMetadata).toMatchObject({ keySpec: 'EC_P256', keyState: 'Disabled' });
    expect((await reopened.listKeyVersions({ keyId })).totalCount).toBe(2);
  });

  test('asymmetric keys persist; the file is version 2 only while it holds a spec version 1 did not know', async () => {
    const { path, store } = await freshStore();
    const kms = new LocalKms({ store });
    const aes = (await kms.createKey()).keyMetadata.keyId;
    const ec = (await kms.createKey({ keySpec: 'EC_P256' })).keyMetadata.keyId;
    expect((await readJson(path)).version).toBe(1);
    const rsa = (await kms.createKey({ keySpec: 'RSA_2048', keyUsage: 'SIGN/VERIFY' })).keyMetadata.keyId;
    const k1 = (await kms.createKey({ keySpec: 'EC_P256K' })).keyMetadata.keyId;
    expect((await readJson(path)).version).toBe(2);
    const reopened = new LocalKms({ store: await FileKeyStore.open(path, masterKey) });
    expect((await reopened.describeKey({ keyId: rsa })).keyMetadata).toMatchObject({ keySpec: 'RSA_2048', keyUsage: 'SIGN/VERIFY' });
    expect((await reopened.describeKey({ keyId: k1 })).keyMetadata).toMatchObject({ keySpec: 'EC_P256K', keyUsage: 'SIGN/VERIFY' });
    expect((await reopened.describeKey({ keyId: ec })).keyMetadata).toMatchObject({ keySpec: 'EC_P256' });
    expect((await reopened.advanceGenerateDataKey({ keyId: aes, numberOfBytes: 32 })).plaintext).toHaveLength(32);
    await expectKmsError(reopened.advanceGenerateDataKey({ keyId: rsa, numberOfBytes: 32 }), 404, 'Forbidden.OnlySymmetricKeySupported');
    // The material is a PKCS#8 private key, sealed like any other.
    const sealed = (await readJson(path)).content.keys.find((k) => k.keyId === rsa)!.versions[0]!.material;
    expect(Buffer.from(sealed, 'base64').length).toBeGreaterThan(1100);
  });

  test('the file holds no key material in the clear, and reads do not rewrite it', async () => {
    const { path, store } = await freshStore();
    const kms = new LocalKms({ store });
    const keyId = (await kms.createKey()).keyMetadata.keyId;
    const before = await readFile(path);
    const json = JSON.parse(before.toString('utf8')) as FileJson;
    expect(Object.keys(json)).toEqual(['format', 'version', 'keystoreId', 'masterKeyCheck', 'content', 'mac']);
    expect(json).toMatchObject({ format: 'dek-keystore', version: 1 });
    expect(Buffer.from(json.content.keys[0]!.versions[0]!.material, 'base64')).toHaveLength(32 + 16);
    await kms.describeKey({ keyId });
    await kms.advanceGenerateDataKey({ keyId, numberOfBytes: 32 });
    await kms.listKeys();
    expect(await readFile(path)).toEqual(before);
  });

  test('a wrong master key is Keystore.WrongMasterKey (403), never garbage keys', async () => {
    const { path } = await freshStore();
    const error = await expectKmsError(FileKeyStore.open(path, randomBytes(32)), 403, 'Keystore.WrongMasterKey');
    expect(error).toBeInstanceOf(KeystoreError);
    expect(error).toBeInstanceOf(KmsServiceError);
  });

  test('any edit of the file is Keystore.Corrupt (MAC over all content)', async () => {
    const { path, store } = await freshStore();
    const kms = new LocalKms({ store });
    const keyId = (await kms.createKey()).keyMetadata.keyId;
    await kms.disableKey({ keyId });
    const original = await readJson(path);
    const enabled = structuredClone(original);
    enabled.content.keys[0]!.keyState = 'Enabled';
    await writeJson(path, enabled);
    await expectKmsError(FileKeyStore.open(path, masterKey), 500, 'Keystore.Corrupt');
    await expectKmsError(kms.describeKey({ keyId }), 500, 'Keystore.Corrupt');
    const material = structuredClone(original);
    const m = material.content.keys[0]!.versions[0]!;
    m.material = `A${m.material.slice(1)}` === m.material ? `B${m.material.slice(1)}` : `A${m.material.slice(1)}`;
    await writeJson(path, material);
    await expectKmsError(FileKeyStore.open(path, masterKey), 500, 'Keystore.Corrupt');
    await writeJson(path, original);
    await FileKeyStore.open(path, masterKey);
  });

  test('sealed material is bound to its version id even under a valid MAC', async () => {
    const { path, store } = await freshStore();
    const kms = new LocalKms({ store });
    const keyId = (await kms.createKey()).keyMetadata.keyId;
    await kms.createKeyVersion({ keyId });
    const json = await readJson(path);
    const [v0, v1] = json.content.keys[0]!.versions;
    [v0!.iv, v1!.iv, v0!.material, v1!.material] = [v1!.iv, v0!.iv, v1!.material, v0!.material];
    json.mac = Buffer.from(contentMac(deriveKeystoreKeys(masterKey), json.keystoreId, JSON.stringify(json.content))).toString('base64');
    await writeJson(path, json);
    const swapped = new LocalKms({ store: await FileKeyStore.open(path, masterKey) });
    await expectKmsError(swapped.advanceGenerateDataKey({ keyId, numberOfBytes: 32 }), 500, 'Keystore.Corrupt');
  });

  test('not a keystore, newer version, truncated, missing', async () => {
    const { path } = await freshStore();
    const original = await readFile(path);
    await writeFile(path, '{"hello": 1}');
    await expectKmsError(FileKeyStore.open(path, masterKey), 500, 'Keystore.Corrupt');
    await writeFile(path, original.subarray(0, original.length / 2));
    await expectKmsError(FileKeyStore.open(path, masterKey), 500, 'Keystore.Corrupt');
    const json = JSON.parse(original.toString('utf8')) as FileJson;
    await writeJson(path, { ...json, version: 3 });
    await expectKmsError(FileKeyStore.open(path, masterKey), 500, 'Keystore.UnsupportedVersion');
    await expectKmsError(FileKeyStore.open(join(root, 'missing.json'), masterKey), 404, 'Keystore.NotFound');
    await expectKmsError(FileKeyStore.open(path, masterKey.subarray(0, 16)), 400, 'Keystore.InvalidMasterKey');
    await writeFile(path, original);
    await expectKmsError(FileKeyStore.create(path, masterKey), 409, 'Keystore.AlreadyExists');
  });

  test('a keystore file over 64 MiB is Keystore.Corrupt naming its size, refused before it is read', async () => {
    const { path } = await freshStore();
    for (const size of [64 * 1024 * 1024 + 1, 4 * 1024 ** 3]) {
      await truncate(path, size); // sparse: cheap to make, and never read
      const error = await expectKmsError(FileKeyStore.open(path, masterKey), 500, 'Keystore.Corrupt');
      expect(error.message).toBe(`The keystore ${path} is ${size} bytes, over the limit of 67108864 bytes.`);
    }
  });

  test('a failed change writes nothing', async () => {
    const { path, store } = await freshStore();
    const kms = new LocalKms({ store });
    const keyId = (await kms.createKey()).keyMetadata.keyId;
    await kms.createAlias({ aliasName: 'alias/x', keyId });
    const before = await readFile(path);
    await expectKmsError(kms.createAlias({ aliasName: 'alias/x', keyId }), 400, 'AliasAlreadyExists');
    expect(await readFile(path)).toEqual(before);
  });

  test('parallel writers in one process (two stores on one file) lose nothing', async () => {
    const { path, store } = await freshStore();
    const a = new LocalKms({ store });
    const b = new LocalKms({ store: await FileKeyStore.open(path, masterKey) });
    const made = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? a : b).createKey()));
    expect((await a.listKeys({ pageSize: 100 })).keys.map((k) => k.keyId).sort()).toEqual(made.map((m) => m.keyMetadata.keyId).sort());
  });

  test('a lock taken over before commit is Keystore.LockLost and nothing is written', async () => {
    const { path } = await freshStore();
    const before = await readFile(path);
    const store = await FileKeyStore.open(path, masterKey, {
      beforeCommit: () => writeFile(`${path}.lock`, JSON.stringify({ pid: process.pid, hostname: 'elsewhere', nonce: 'x' })),
    });
    await expectKmsError(new LocalKms({ store }).createKey(), 500, 'Keystore.LockLost');
    expect(await readFile(path)).toEqual(before);
    await rm(`${path}.lock`);
  });

  test('a file-system failure is Keystore.IOError naming the path and errno', async () => {
    const { path, store } = await freshStore();
    const kms = new LocalKms({ store });
    await rm(path);
    await mkdir(path);
    const error = await expectKmsError(kms.listKeys(), 500, 'Keystore.IOError');
    expect(error.message).toContain(path);
    expect(error.message).toContain('EISDIR');
    await rm(path, { recursive: true });
    await expectKmsError(kms.listKeys(), 404, 'Keystore.NotFound');
  });
});
