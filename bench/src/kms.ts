/**
 * The KMS side: LocalKms `advanceGenerateDataKey` calls per second, and 10,000 small messages
 * encrypted one after another with one KMS call each (the default) and with the caching provider.
 */
import { randomBytes } from 'node:crypto';
import { CachingDataKeyProvider, encrypt } from '@dek/stream';
import { measureThroughput, type Throughput } from './measure.js';
import { localKey } from './support.js';

export const MESSAGES = 10_000;
export const MESSAGE_BYTES = 1024;

export const KMS_ROWS = {
  generate: 'LocalKms advanceGenerateDataKey (32-byte key)',
  uncached: `${MESSAGES.toLocaleString('en-US')} messages of 1 KiB, one KMS call each`,
  cached: `${MESSAGES.toLocaleString('en-US')} messages of 1 KiB, CachingDataKeyProvider`,
} as const;

export async function benchKms(): Promise<Throughput[]> {
  const { kms, keyId } = await localKey();
  const aad = randomBytes(32);
  const message = randomBytes(MESSAGE_BYTES);
  const many = async (dataKeys?: CachingDataKeyProvider): Promise<void> => {
    for (let i = 0; i < MESSAGES; i++) await encrypt(message, { kms, keyId, dataKeys });
  };
  return measureThroughput(
    [
      { name: KMS_ROWS.generate, ops: 1, fn: () => kms.advanceGenerateDataKey({ keyId, numberOfBytes: 32, aad }) },
      { name: KMS_ROWS.uncached, ops: MESSAGES, fn: () => many() },
      {
        name: KMS_ROWS.cached,
        ops: MESSAGES,
        fn: async () => {
          const cache = new CachingDataKeyProvider({ maxAge: 60_000 });
          try {
            await many(cache);
          } finally {
            cache.close();
          }
        },
      },
    ],
    { rounds: 3, time: 300 },
  );
}
