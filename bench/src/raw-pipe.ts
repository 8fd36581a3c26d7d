/**
 * The leanest Node program that encrypts stdin to stdout as dek's chunks do: blocking reads of
 * what the pipe holds into one reused buffer, `createCipheriv` per 16 KiB chunk (AES-256-GCM, a
 * counter nonce), one blocking `writev` of the ciphertexts and tags per read; no header, no key
 * derivation, no streams. The floor of what Node can do through pipes here, run as its own
 * process beside `dek encrypt` and `age -r` (bench/src/cli.ts). Not a format: its output is
 * thrown away.
 */
import { readSync, writevSync } from 'node:fs';
import { createCipheriv, randomBytes } from 'node:crypto';

const CHUNK = 16384;
const key = randomBytes(32);
const nonce = Buffer.alloc(12);
const buffer = Buffer.allocUnsafe(1 << 20);
let index = 0;
let pending = 0;

function writeAll(pieces: Uint8Array[]): void {
  let rest = pieces;
  while (rest.length > 0) {
    let written = writevSync(1, rest);
    const left: Uint8Array[] = [];
    for (const piece of rest) {
      if (written >= piece.length) written -= piece.length;
      else {
        left.push(piece.subarray(written));
        written = 0;
      }
    }
    rest = left;
  }
}

for (;;) {
  const got = readSync(0, buffer, pending, buffer.length - pending, null);
  const held = pending + got;
  const sealable = got === 0 ? held : held - (held % CHUNK);
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < sealable; at += CHUNK) {
    nonce.writeUInt32BE(index++, 8);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    pieces.push(cipher.update(buffer.subarray(at, Math.min(sealable, at + CHUNK))));
    cipher.final();
    pieces.push(cipher.getAuthTag());
  }
  writeAll(pieces);
  buffer.copy(buffer, 0, sealable, held);
  pending = held - sealable;
  if (got === 0) break;
}
