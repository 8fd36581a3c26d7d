/**
 * The code of a chunk worker thread, as a string run with `new Worker(source, { eval: true })`.
 * Plain JavaScript on `node:crypto` only, loading its modules with `import()` so that it runs
 * whether the worker evaluates it as CommonJS or as an ES module (a parent started with
 * `--input-type=module` passes that on): the same from the TypeScript sources (under vitest) and
 * from `dist` (under node), and it survives bundling, since no separate file has to be found.
 *
 * Protocol (all buffers are transferred, never copied):
 * - `{ type: 'keys', key, nonce }`: the chunk AES-GCM key (16 or 32 bytes) and the 12-byte base
 *   nonce, each an ArrayBuffer; sent once, first.
 * - `{ type: 'job', id, op: 'seal' | 'open', index, input, length }`: `length` bytes of `input`
 *   hold whole chunks (16384 plaintext bytes or 16400 sealed bytes each), the first at chunk
 *   `index`. Reply `{ id, input, outputs }` (`input` comes back for reuse): `outputs` holds the
 *   sealed chunks (sealing) or their plaintext (opening), in order, as ArrayBuffers of up to 7
 *   chunks each; or `{ id, input, failedChunk }` when a tag did not verify (the batch's plaintext
 *   is zeroed, nothing of it is released).
 * - `{ type: 'close' }`: zero the keys and exit.
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
let key;
let base;
const nonce = Buffer.alloc(12);

function setNonce(index) {
  nonce.set(base);
  const low = index >>> 0;
  nonce[7] ^= (index - low) / 0x100000000;
  nonce[8] ^= low >>> 24;
  nonce[9] ^= (low >>> 16) & 0xff;
  nonce[10] ^= (low >>> 8) & 0xff;
  nonce[11] ^= low & 0xff;
  return nonce;
}

// Output goes back in pieces of up to GROUP chunks (under 128 KiB: the allocator reuses such
// blocks instead of mapping fresh pages, and a few transfers per batch stay cheap).
const GROUP = 7;

function seal(index, input, count) {
  const out = [];
  for (let g = 0; g < count; g += GROUP) {
    const k = Math.min(GROUP, count - g);
    const piece = Buffer.allocUnsafeSlow(k * SEALED);
    for (let j = 0; j < k; j++) {
      const from = (g + j) * CHUNK;
      const cipher = createCipheriv(key.algorithm, key.bytes, setNonce(index + g + j), { authTagLength: 16 });
      piece.set(cipher.update(input.subarray(from, from + CHUNK)), j * SEALED);
      cipher.final();
      piece.set(cipher.getAuthTag(), j * SEALED + CHUNK);
    }
    out.push(piece.buffer);
  }
  return { out };
}

function open(index, input, count) {
  const out = [];
  for (let g = 0; g < count; g += GROUP) {
    const k = Math.min(GROUP, count - g);
    const piece = Buffer.allocUnsafeSlow(k * CHUNK);
    out.push(piece.buffer);
    for (let j = 0; j < k; j++) {
      const at = (g + j) * SEALED;
      const decipher = createDecipheriv(key.algorithm, key.bytes, setNonce(index + g + j), { authTagLength: 16 });
      decipher.setAuthTag(input.subarray(at + CHUNK, at + SEALED));
      const plaintext = decipher.update(input.subarray(at, at + CHUNK));
      let ok = true;
      try {
        decipher.final();
      } catch {
        ok = false;
      }
      if (ok) piece.set(plaintext, j * CHUNK);
      plaintext.fill(0);
      if (!ok) {
        for (const buffer of out) new Uint8Array(buffer).fill(0);
        return { failedChunk: index + g + j };
      }
    }
  }
  return { out };
}

parentPort.on('message', (message) => {
  if (message.type === 'keys') {
    const bytes = Buffer.from(message.key);
    key = { bytes, algorithm: bytes.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm' };
    base = Buffer.from(message.nonce);
    return;
  }
  if (message.type === 'close') {
    if (key !== undefined) key.bytes.fill(0);
    if (base !== undefined) base.fill(0);
    nonce.fill(0);
    process.exit(0);
  }
  const input = Buffer.from(message.input, 0, message.length);
  const unit = message.op === 'seal' ? CHUNK : SEALED;
  const result = (message.op === 'seal' ? seal : open)(message.index, input, message.length / unit);
  if (result.failedChunk !== undefined) {
    parentPort.postMessage({ id: message.id, input: message.input, failedChunk: result.failedChunk }, [message.input]);
    return;
  }
  parentPort.postMessage({ id: message.id, input: message.input, outputs: result.out }, [message.input, ...result.out]);
});
})();
`;
