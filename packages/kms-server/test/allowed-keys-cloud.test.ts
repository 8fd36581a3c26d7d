/**
 * `allowedKeys` through the cloud clients against the server: AwsKms (slots name key ARNs;
 * aliases resolve with DescribeKey) and AlibabaOpenApiKms (aliases resolve with DescribeKey).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyNotAllowedError } from '@dek/core';
import { AlibabaOpenApiKms } from '@dek/kms-alibaba';
import type { AwsKms } from '@dek/kms-aws';
import { decrypt, encrypt } from '@dek/stream';
import { startAwsHarness, type AwsHarness } from './aws-support.js';
import { startHarness, type Harness } from './support/harness.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET } from './support/official.js';

const plaintext = new Uint8Array(5000).map((_, i) => i % 251);

let awsH: AwsHarness;
let alibabaH: Harness;
let aws: AwsKms;
let openapi: AlibabaOpenApiKms;

beforeAll(async () => {
  [awsH, alibabaH] = await Promise.all([startAwsHarness(), startHarness()]);
  aws = awsH.awsKms();
  openapi = new AlibabaOpenApiKms({ endpoint: alibabaH.endpoint, protocol: 'http', accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET, regionId: 'cn-hangzhou' });
});
afterAll(async () => Promise.all([awsH.close(), alibabaH.close()]));

/** Two keys in `kms`, the first with alias `alias/mine`. */
async function twoKeys(h: { kms: Harness['kms'] }): Promise<{ mine: string; theirs: string }> {
  const mine = (await h.kms.createKey()).keyMetadata.keyId;
  await h.kms.createAlias({ aliasName: 'alias/mine', keyId: mine });
  return { mine, theirs: (await h.kms.createKey()).keyMetadata.keyId };
}

describe('allowedKeys with cloud clients', () => {
  it('AwsKms: resolveKey gives the key id and ARN; a file is opened only through an allowed key', async () => {
    const { mine, theirs } = await twoKeys(awsH);
    expect(await aws.resolveKey({ keyId: 'alias/mine' })).toMatchObject({ keyId: mine, arn: awsH.arn(mine) });
    const ours = await encrypt(plaintext, { kms: aws, keyId: 'alias/mine' });
    const planted = await encrypt(plaintext, { kms: aws, keyId: theirs });
    for (const allowedKeys of [['alias/mine'], [mine], [awsH.arn(mine)], [`arn:aws:kms:us-east-1:111122223333:alias/mine`]]) {
      expect(await decrypt(ours, { kms: aws, allowedKeys })).toEqual(plaintext);
      await expect(decrypt(planted, { kms: aws, allowedKeys })).rejects.toBeInstanceOf(KeyNotAllowedError);
    }
    // Same key id, another account's ARN: not the same key.
    await expect(decrypt(ours, { kms: aws, allowedKeys: [`arn:aws:kms:us-east-1:999999999999:key/${mine}`] })).rejects.toBeInstanceOf(KeyNotAllowedError);
  });

  it('AlibabaOpenApiKms: aliases and ARNs resolve through DescribeKey', async () => {
    const { mine, theirs } = await twoKeys(alibabaH);
    expect(await openapi.resolveKey({ keyId: 'alias/mine' })).toMatchObject({ keyId: mine });
    const ours = await encrypt(plaintext, { kms: openapi, keyId: 'alias/mine' });
    const planted = await encrypt(plaintext, { kms: openapi, keyId: theirs });
    for (const allowedKeys of [['alias/mine'], [mine], [`acs:kms:local:0:key/${mine}`]]) {
      expect(await decrypt(ours, { kms: openapi, allowedKeys })).toEqual(plaintext);
      await expect(decrypt(planted, { kms: openapi, allowedKeys })).rejects.toBeInstanceOf(KeyNotAllowedError);
    }
  });
});
