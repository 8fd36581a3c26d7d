/**
 * Chunk layer: sealing and opening 16 KiB chunks with @dek/core against a raw node:crypto
 * createCipheriv loop over the same chunks (same key, same nonces), in one run.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CHUNK_SIZE, deriveChunkKeys, openChunk, sealChunk, sealChunkDetached } from '@dek/core';
import { nodeAesGcm } from '@dek/core/node';
import { measureThroughput, type Throughput } from './measure.js';

/** Bytes processed per task call. */
const TOTAL = 16 * 1024 * 1024;
const CHUNKS = TOTAL / CHUNK_SIZE;

function rawNonce(base: Uint8Array, index: number, out: Buffer): Buffer {
  out.set(base);
  // Counter XOR into the last 4 bytes, big-endian, as the chunk layer does.
  out.writeUInt32BE((out.readUInt32BE(8) ^ index) >>> 0, 8);
  return out;
}

export async function benchChunkLayer(): Promise<Throughput[]> {
  const plaintext = randomBytes(TOTAL);
  const keys = deriveChunkKeys('cobblestone-256', randomBytes(32), randomBytes(24), new Uint8Array(0), nodeAesGcm);
  const chunk = (i: number) => plaintext.subarray(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE);
  const sealed = Array.from({ length: CHUNKS }, (_, i) => sealChunk(keys, i, chunk(i)));
  const nonce = Buffer.alloc(12);
  const key = Buffer.from(keys.aeadKey);

  return measureThroughput([
    {
      name: 'raw node:crypto seal 16 KiB',
      bytes: TOTAL,
      fn: () => {
        for (let i = 0; i < CHUNKS; i++) {
          const c = createCipheriv('aes-256-gcm', key, rawNonce(keys.baseNonce, i, nonce));
          c.update(chunk(i));
          c.final();
          c.getAuthTag();
        }
      },
    },
    { name: '@dek/core sealChunk 16 KiB', bytes: TOTAL, fn: () => { for (let i = 0; i < CHUNKS; i++) sealChunk(keys, i, chunk(i)); } },
    { name: '@dek/core sealChunkDetached 16 KiB', bytes: TOTAL, fn: () => { for (let i = 0; i < CHUNKS; i++) sealChunkDetached(keys, i, chunk(i)); } },
    {
      name: 'raw node:crypto open 16 KiB',
      bytes: TOTAL,
      fn: () => {
        for (let i = 0; i < CHUNKS; i++) {
          const s = sealed[i]!;
          const d = createDecipheriv('aes-256-gcm', key, rawNonce(keys.baseNonce, i, nonce));
          d.setAuthTag(s.subarray(CHUNK_SIZE));
          d.update(s.subarray(0, CHUNK_SIZE));
          d.final();
        }
      },
    },
    { name: '@dek/core openChunk 16 KiB', bytes: TOTAL, fn: () => { for (let i = 0; i < CHUNKS; i++) openChunk(keys, i, sealed[i]!); } },
  ], { rounds: 5, time: 400 });
}
