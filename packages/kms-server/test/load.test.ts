/**
 * A bounded load test: 8 concurrent clients for about 2 seconds. Each calls
 * AdvanceGenerateDataKey (instance API over HTTPS, or the OpenAPI extension over ACS3) and, every
 * fifth call, CreateKeyVersion (official kms20160120 client), all on one key. Afterwards every
 * blob still decrypts, to the data key it came with, and no version was lost. Prints the rate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlibabaInstanceKms } from '@dek/kms-alibaba';
import { startHarness, type Harness } from './support/harness.js';
import { $Kms, callApi, kmsClient, openApiClient } from './support/official.js';

const CLIENTS = 8;
const DURATION_MS = 2000;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

describe('load', () => {
  it(`${CLIENTS} concurrent clients for ~${DURATION_MS} ms: every blob decrypts, every version is kept`, async () => {
    const keyId = (await h.kms.createKey()).keyMetadata.keyId;
    const wrapped: Array<{ blob: Uint8Array; plaintext: Uint8Array; keyVersionId: string }> = [];
    const versions = new Set<string>();
    let requests = 0;
    const end = Date.now() + DURATION_MS;

    const worker = async (index: number): Promise<void> => {
      const instance: AlibabaInstanceKms | undefined = index % 2 === 0 ? h.instanceClient() : undefined;
      const openapi = openApiClient(h.endpoint);
      const official = kmsClient(h.endpoint);
      for (let n = 0; Date.now() < end; n++) {
        if (n % 5 === 4) {
          const v = await official.createKeyVersion(new $Kms.CreateKeyVersionRequest({ keyId }));
          versions.add(v.keyVersion.keyVersionId);
        } else if (instance !== undefined) {
          const g = await instance.advanceGenerateDataKey({ keyId, numberOfBytes: 32 });
          wrapped.push({ blob: g.ciphertextBlob, plaintext: g.plaintext, keyVersionId: g.keyVersionId });
        } else {
          const g = await callApi(openapi, 'AdvanceGenerateDataKey', { KeyId: keyId, NumberOfBytes: '32' });
          wrapped.push({
            blob: new Uint8Array(Buffer.from(String(g['CiphertextBlob']), 'base64')),
            plaintext: new Uint8Array(Buffer.from(String(g['Plaintext']), 'base64')),
            keyVersionId: String(g['KeyVersionId']),
          });
        }
        requests++;
      }
    };

    const started = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => worker(i)));
    const seconds = (performance.now() - started) / 1000;
    const rate = requests / seconds;
    console.log(
      `[load] ${CLIENTS} clients, ${seconds.toFixed(2)} s: ${requests} requests (${wrapped.length} AdvanceGenerateDataKey, ${versions.size} CreateKeyVersion), ${rate.toFixed(0)} requests/s`,
    );

    expect(wrapped.length).toBeGreaterThan(0);
    expect(versions.size).toBeGreaterThan(0);
    const listed = await h.kms.listKeyVersions({ keyId, pageSize: 100, pageNumber: 1 });
    expect(listed.totalCount).toBe(versions.size + 1);
    const usedVersions = new Set(wrapped.map((w) => w.keyVersionId));
    expect(usedVersions.size).toBeGreaterThan(1);
    for (const w of wrapped) {
      const d = await h.kms.advanceDecrypt({ ciphertextBlob: w.blob });
      expect(d.keyVersionId).toBe(w.keyVersionId);
      expect(d.plaintext).toEqual(w.plaintext);
    }
  });
});
