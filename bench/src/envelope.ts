/**
 * Envelope encryption in memory: dek against the raw node:crypto loop over the same 16 KiB chunks,
 * the AWS Encryption SDK and age. dek runs three ways: its Node stream from a buffer into a sink
 * that drops the output (the streaming path; warm memory), its synchronous state machines, and
 * the one-shot `encrypt()` / `decrypt()`, whose result is a fresh array (cold memory; compared
 * with the raw loop writing into a fresh array too). Each on one thread (the stream-fed worker
 * threads measured 0.55 to 0.92x of one thread and are gone; files use the file engine).
 */
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import {
  EnvelopeDecryptor,
  createEnvelopeEncryptor,
  decrypt,
  decryptStream,
  encrypt,
  encryptStream,
} from '@dek/stream';
import { measureThroughput, type Throughput, type ThroughputTask } from './measure.js';
import { ageCodec, awsCodec, type Codec } from './peers.js';
import { RawChunks } from './raw.js';
import { HIGH_WATER_MARK, MiB, bufferSource, localKey, nullSink } from './support.js';

/** dek and raw work on this much plaintext per call. */
export const ENVELOPE_BYTES = 256 * MiB;
/** The peers (50 to 250 MB/s here) on this much, to keep the run short; rates are per MB/s. */
export const PEER_BYTES = 32 * MiB;

/** How dek runs in memory: on the calling thread (the streams have no thread option). */
export const MODES = {
  single: 'concurrency 1',
} as const;
export type Mode = (typeof MODES)[keyof typeof MODES];

/** Row names, shared with the report's ratios and the chart. */
export const ROWS = {
  rawSeal: 'raw node:crypto seal 16 KiB (output dropped)',
  rawOpen: 'raw node:crypto open 16 KiB (output dropped)',
  rawSealInto: 'raw node:crypto seal 16 KiB into a new array',
  rawOpenInto: 'raw node:crypto open 16 KiB into a new array',
  streamEnc: (c: Mode) => `dek encryptStream, memory to sink, ${c}`,
  streamDec: (c: Mode) => `dek decryptStream, memory to sink, ${c}`,
  machineEnc: 'dek EnvelopeEncryptor.writeParts, 1 MiB writes',
  machineDec: 'dek EnvelopeDecryptor.write, 1 MiB writes',
  oneShotEnc: (c: Mode) => `dek encrypt() one-shot, ${c}`,
  oneShotDec: (c: Mode) => `dek decrypt() one-shot, ${c}`,
  peerEnc: (name: string) => `${name} encrypt (${PEER_BYTES / MiB} MiB)`,
  peerDec: (name: string) => `${name} decrypt (${PEER_BYTES / MiB} MiB)`,
} as const;

/** Peer names as they appear in rows. */
export const PEERS = {
  awsDefault: '@aws-crypto/client-node default suite (signed, 4 KiB frames)',
  awsCommitting: '@aws-crypto/client-node committing, no signature, 64 KiB frames',
  age: 'age-encryption (X25519)',
} as const;

function drop(data: Uint8Array, size: number, step: (piece: Uint8Array) => unknown): void {
  for (let at = 0; at < data.length; at += size) step(data.subarray(at, at + size));
}

async function peerTasks(name: string, codec: Codec): Promise<ThroughputTask[]> {
  const plaintext = randomBytes(PEER_BYTES);
  const ciphertext = await codec.encrypt(plaintext);
  const check = await codec.decrypt(ciphertext);
  if (Buffer.compare(check, plaintext) !== 0) throw new Error(`${name} does not round-trip`);
  return [
    { name: ROWS.peerEnc(name), bytes: PEER_BYTES, fn: () => codec.encrypt(plaintext) },
    { name: ROWS.peerDec(name), bytes: PEER_BYTES, fn: () => codec.decrypt(ciphertext) },
  ];
}

export async function benchEnvelope(): Promise<Throughput[]> {
  const { kms, keyId } = await localKey();
  const plaintext = randomBytes(ENVELOPE_BYTES);
  const envelope = await encrypt(plaintext, { kms, keyId });
  const raw = new RawChunks();
  const rawSealed = raw.sealInto(plaintext);
  const bytes = ENVELOPE_BYTES;

  const tasks: ThroughputTask[] = [
    { name: ROWS.rawSeal, bytes, fn: () => raw.seal(plaintext) },
    { name: ROWS.rawOpen, bytes, fn: () => raw.open(rawSealed) },
    { name: ROWS.rawSealInto, bytes, fn: () => raw.sealInto(plaintext) },
    { name: ROWS.rawOpenInto, bytes, fn: () => raw.openInto(rawSealed) },
    {
      name: ROWS.machineEnc,
      bytes,
      fn: async () => {
        const encryptor = await createEnvelopeEncryptor({ kms, keyId });
        drop(plaintext, MiB, (piece) => encryptor.writeParts(piece));
        encryptor.end();
      },
    },
    {
      name: ROWS.machineDec,
      bytes,
      fn: async () => {
        const decryptor = new EnvelopeDecryptor({ kms });
        decryptor.write(envelope.subarray(0, MiB));
        await decryptor.unlock();
        drop(envelope.subarray(MiB), MiB, (piece) => decryptor.write(piece));
        decryptor.end();
      },
    },
  ];
  for (const mode of [MODES.single]) {
    const stream = { highWaterMark: HIGH_WATER_MARK };
    tasks.push(
      { name: ROWS.streamEnc(mode), bytes, fn: () => pipeline(bufferSource(plaintext), encryptStream({ kms, keyId, ...stream }), nullSink()) },
      { name: ROWS.streamDec(mode), bytes, fn: () => pipeline(bufferSource(envelope), decryptStream({ kms, ...stream }), nullSink()) },
      { name: ROWS.oneShotEnc(mode), bytes, fn: () => encrypt(plaintext, { kms, keyId }) },
      { name: ROWS.oneShotDec(mode), bytes, fn: () => decrypt(envelope, { kms }) },
    );
  }
  tasks.push(...(await peerTasks(PEERS.awsCommitting, awsCodec(true))));
  tasks.push(...(await peerTasks(PEERS.awsDefault, awsCodec(false))));
  tasks.push(...(await peerTasks(PEERS.age, await ageCodec())));
  return measureThroughput(tasks, { rounds: 9 });
}
