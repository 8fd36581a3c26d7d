/**
 * AWS `ListKeys` through the official client: every key, in pages of `Limit` with `Marker` /
 * `NextMarker` / `Truncated`, and through the SDK's paginator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsFailure, awsSdk, startAwsHarness, type AwsHarness } from './aws-support.js';

const { ListKeysCommand, paginateListKeys } = awsSdk();

let h: AwsHarness;
let keyIds: string[];

beforeAll(async () => {
  h = await startAwsHarness();
  keyIds = [];
  for (let i = 0; i < 7; i++) keyIds.push((await h.kms.createKey()).keyMetadata.keyId);
  keyIds.sort();
});
afterAll(async () => h.close());

describe('ListKeys', () => {
  it('lists every key with its ARN, untruncated under the default limit', async () => {
    const r = await h.client().send(new ListKeysCommand({}));
    expect(r.Truncated).toBe(false);
    expect(r.NextMarker).toBeUndefined();
    expect(r.Keys).toEqual(keyIds.map((id) => ({ KeyId: id, KeyArn: h.arn(id) })));
  });

  it('pages with Limit and Marker: each key once, in order, NextMarker only while truncated', async () => {
    const client = h.client();
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    for (;;) {
      const r = await client.send(new ListKeysCommand({ Limit: 3, ...(marker === undefined ? {} : { Marker: marker }) }));
      pages++;
      expect(r.Keys!.length).toBeLessThanOrEqual(3);
      seen.push(...r.Keys!.map((k) => k.KeyId!));
      if (!r.Truncated) {
        expect(r.NextMarker).toBeUndefined();
        break;
      }
      marker = r.NextMarker;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(keyIds);
  });

  it('works with the SDK paginator', async () => {
    const seen: string[] = [];
    for await (const page of paginateListKeys({ client: h.client(), pageSize: 2 }, {})) seen.push(...page.Keys!.map((k) => k.KeyId!));
    expect(seen).toEqual(keyIds);
  });

  it('refuses a Limit outside 1..1000', async () => {
    await awsFailure(h.client().send(new ListKeysCommand({ Limit: 0 })), 'ValidationException');
    await awsFailure(h.client().send(new ListKeysCommand({ Limit: 1001 })), 'ValidationException');
  });
});
