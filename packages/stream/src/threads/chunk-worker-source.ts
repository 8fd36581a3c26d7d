/**
 * The code of a chunk worker thread, as a string run with `new Worker(source, { eval: true })`.
 * Plain JavaScript on `node:crypto` only, loading its modules with `import()` so that it runs
 * whether the worker evaluates it as CommonJS or as an ES module (a parent started with
 * `--input-type=module` passes that on): the same from the TypeScript sources (under vitest) and
 * from `dist` (under node), and it survives bundling, since no separate file has to be found.
 *
 * Protocol (all buffers are transferred, never copied). A worker may serve several messages at
 * once, each under its own `lane` number with its own keys:
 * - `{ type: 'keys', lane, key, nonce }`: the lane's chunk AES-GCM key (16 or 32 bytes) and 12-byte
 *   base nonce, each an ArrayBuffer; sent before the lane's first job.
 * - `{ type: 'job', lane, id, op: 'seal' | 'open', index, input, length }`: `length` bytes of
 *   `input` hold whole chunks (16384 plaintext bytes or 16400 sealed bytes each), the first at
 *   chunk `index`. Reply `{ id, input, outputs }` (`input` comes back for reuse): `outputs` holds
 *   each chunk's ciphertext and tag (sealing) or plaintext (opening), in order, the ArrayBuffers
 *   OpenSSL filled; or `{ id, input, failedChunk }` when a tag did not verify (the batch's
 *   plaintext is zeroed, nothing of it is released).
 * - `{ type: 'forget', lane }`: zero and drop the lane's keys.
 * - `{ type: 'close' }`: zero every key and exit.
 *
 * Chunk `i` uses nonce = base nonce XOR the 96-bit big-endian `i`, AES-GCM, empty AAD: exactly
 * `sealChunk` / `openChunk` of `@dek/core`, so the output is byte-identical.
 *
 * @module
 */

/** JavaScript source of the worker (see the module comment for its protocol). */
export const CHUNK_WORKER_SOURCE = String.raw`(async () => {
const { parentPort } = await import('node:worker_threads');
const { createCipheriv, createDecipheriv } = await import('node:crypto');

const CHUNK = 16384;
const SEALED = 16400;
const lanes = new Map();
const nonce = Buffer.alloc(12);

function forget(lane) {
  lane.key.fill(0);
  lane.base.fill(0);
}

function nonceOf(lane, index) {
  nonce.set(lane.base);
  const low = index >>> 0;
  nonce[7] ^= (index - low) / 0x100000000;
  nonce[8] ^= low >>> 24;
  nonce[9] ^= (low >>> 16) & 0xff;
  nonce[10] ^= (low >>> 8) & 0xff;
  nonce[11] ^= low & 0xff;
  return nonce;
}

// OpenSSL's output buffers go back as they are, transferred: no copy, and no garbage left in this
// thread. One that does not own its whole ArrayBuffer (never seen) is copied first.
function own(buffer) {
  if (buffer.byteOffset === 0 && buffer.buffer.byteLength === buffer.length) return buffer.buffer;
  return new Uint8Array(buffer).buffer;
}

function seal(lane, index, input, count) {
  const out = [];
  for (let j = 0; j < count; j++) {
    const cipher = createCipheriv(lane.algorithm, lane.key, nonceOf(lane, index + j), { authTagLength: 16 });
    out.push(own(cipher.update(input.subarray(j * CHUNK, (j + 1) * CHUNK))));
    cipher.final();
    out.push(own(cipher.getAuthTag()));
  }
  return { out };
}

function open(lane, index, input, count) {
  const out = [];
  for (let j = 0; j < count; j++) {
    const at = j * SEALED;
    const decipher = createDecipheriv(lane.algorithm, lane.key, nonceOf(lane, index + j), { authTagLength: 16 });
    decipher.setAuthTag(input.subarray(at + CHUNK, at + SEALED));
    const plaintext = decipher.update(input.subarray(at, at + CHUNK));
    try {
      decipher.final();
    } catch {
      plaintext.fill(0);
      for (const buffer of out) new Uint8Array(buffer).fill(0);
      return { failedChunk: index + j };
    }
    out.push(own(plaintext));
  }
  return { out };
}

parentPort.on('message', (message) => {
  if (message.type === 'keys') {
    const key = Buffer.from(message.key);
    lanes.set(message.lane, { key, algorithm: key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm', base: Buffer.from(message.nonce) });
    return;
  }
  if (message.type === 'forget') {
    const lane = lanes.get(message.lane);
    if (lane !== undefined) forget(lane);
    lanes.delete(message.lane);
    return;
  }
  if (message.type === 'close') {
    for (const lane of lanes.values()) forget(lane);
    nonce.fill(0);
    process.exit(0);
  }
  const lane = lanes.get(message.lane);
  const input = Buffer.from(message.input, 0, message.length);
  const unit = message.op === 'seal' ? CHUNK : SEALED;
  const result = (message.op === 'seal' ? seal : open)(lane, message.index, input, message.length / unit);
  if (result.failedChunk !== undefined) {
    parentPort.postMessage({ id: message.id, input: message.input, failedChunk: result.failedChunk }, [message.input]);
    return;
  }
  parentPort.postMessage({ id: message.id, input: message.input, outputs: result.out }, [message.input, ...result.out]);
});
})();
`;
