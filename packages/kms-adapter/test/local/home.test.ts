import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMasterKeyFile, DEFAULT_KEY_ALIAS, initLocalKms, loadMasterKey, localKmsPaths, openLocalKms } from '@dek/kms-adapter';
import { expectKmsError } from '../helpers.js';

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dek-kms-home-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
const newHome = () => join(root, `home-${n++}`, 'dek');

describe('initLocalKms / openLocalKms', () => {
  test('init makes home (0700), master.key (0600) and a keystore with alias/default; twice changes nothing', async () => {
    const home = newHome();
    const first = await initLocalKms(home, { env: {} });
    const { keystorePath, masterKeyPath } = localKmsPaths(home);
    expect(first).toEqual({ keystorePath, masterKeyPath, createdMasterKey: true, createdKeystore: true, defaultKeyId: expect.stringMatching(/^key-/) });
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    expect((await stat(masterKeyPath)).mode & 0o777).toBe(0o600);
    expect((await readFile(masterKeyPath, 'utf8')).trim()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const [keystore, key, keystoreStat] = await Promise.all([readFile(keystorePath), readFile(masterKeyPath), stat(keystorePath)]);

    const second = await initLocalKms(home, { env: {} });
    expect(second).toEqual({ ...first, createdMasterKey: false, createdKeystore: false });
    expect(await readFile(keystorePath)).toEqual(keystore);
    expect(await readFile(masterKeyPath)).toEqual(key);
    expect((await stat(keystorePath)).mtimeMs).toBe(keystoreStat.mtimeMs);

    const kms = await openLocalKms({ home, env: {} });
    const { keyMetadata } = await kms.describeKey({ keyId: DEFAULT_KEY_ALIAS });
    expect(keyMetadata).toMatchObject({ keyId: first.defaultKeyId, keySpec: 'Aliyun_AES_256', keyState: 'Enabled' });
    const r = await kms.advanceGenerateDataKey({ keyId: DEFAULT_KEY_ALIAS, numberOfBytes: 32 });
    const again = await openLocalKms({ home, env: {} });
    expect((await again.advanceDecrypt({ ciphertextBlob: r.ciphertextBlob })).plaintext).toEqual(r.plaintext);
  });

  test('with DEK_MASTER_KEY set, init writes no key file and open uses the variable', async () => {
    const home = newHome();
    const env = { DEK_MASTER_KEY: randomBytes(32).toString('base64') };
    const result = await initLocalKms(home, { env });
    expect(result.createdMasterKey).toBe(false);
    await expect(stat(result.masterKeyPath)).rejects.toThrow(/ENOENT/);
    await openLocalKms({ home, env });
    await expectKmsError(openLocalKms({ home, env: {} }), 400, 'Keystore.MasterKeyMissing');
    await expectKmsError(openLocalKms({ home, env: { DEK_MASTER_KEY: randomBytes(32).toString('base64') } }), 403, 'Keystore.WrongMasterKey');
    await expectKmsError(initLocalKms(home, { env: { DEK_MASTER_KEY: randomBytes(32).toString('base64') } }), 403, 'Keystore.WrongMasterKey');
  });

  test('master key problems have their own codes', async () => {
    const home = newHome();
    await initLocalKms(home, { env: {} });
    const { masterKeyPath } = localKmsPaths(home);
    await expectKmsError(openLocalKms({ home, env: { DEK_MASTER_KEY: 'c2hvcnQ=' } }), 400, 'Keystore.InvalidMasterKey');
    await expectKmsError(openLocalKms({ home, env: { DEK_MASTER_KEY: '!!!' } }), 400, 'Keystore.InvalidMasterKey');
    await expectKmsError(loadMasterKey({ masterKey: new Uint8Array(16) }), 400, 'Keystore.InvalidMasterKey');
    await chmod(masterKeyPath, 0o644);
    const insecure = await expectKmsError(openLocalKms({ home, env: {} }), 403, 'Keystore.InsecureMasterKeyFile');
    expect(insecure.message).toContain('644');
    await chmod(masterKeyPath, 0o600);
    await writeFile(masterKeyPath, 'not base64 at all\n');
    await expectKmsError(openLocalKms({ home, env: {} }), 400, 'Keystore.InvalidMasterKey');
    await writeFile(masterKeyPath, `${randomBytes(32).toString('base64')}\n`);
    await expectKmsError(openLocalKms({ home, env: {} }), 403, 'Keystore.WrongMasterKey');
  });

  test('opening a home without a keystore is Keystore.NotFound; createMasterKeyFile never overwrites', async () => {
    const home = newHome();
    await initLocalKms(home, { env: {} });
    const { keystorePath, masterKeyPath } = localKmsPaths(home);
    const key = await readFile(masterKeyPath);
    expect(await createMasterKeyFile(masterKeyPath)).toBe(false);
    expect(await readFile(masterKeyPath)).toEqual(key);
    await rm(keystorePath);
    await expectKmsError(openLocalKms({ home, env: {} }), 404, 'Keystore.NotFound');
  });

  test('init never makes a master key for an existing keystore (it could not open it)', async () => {
    const home = newHome();
    await initLocalKms(home, { env: {} });
    const { masterKeyPath } = localKmsPaths(home);
    await rm(masterKeyPath);
    await expectKmsError(initLocalKms(home, { env: {} }), 400, 'Keystore.MasterKeyMissing');
    await expect(stat(masterKeyPath)).rejects.toThrow(/ENOENT/);
  });
});
