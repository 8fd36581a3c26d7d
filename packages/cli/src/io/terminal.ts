/**
 * Guard for plaintext going to a terminal: text passes, binary is refused before its first
 * byte is written (decided on the first block of output).
 *
 * @module
 */
import { fstatSync } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { CliError, EXIT } from '../errors.js';

/** Whether `fd` is a terminal. node:tty (which brings node:net) loads only for a character device. */
export function isTerminal(fd: number): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return process.getBuiltinModule('node:tty').isatty(fd);
}

/** Whether `bytes` looks like UTF-8 text without control characters other than common whitespace and ESC. */
export function looksLikeText(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c && byte !== 0x1b) return false;
    if (byte === 0x7f) return false;
  }
  try {
    // stream: true tolerates a character cut at the end of the block.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** A pass-through that fails with `DEK_TERMINAL` if the first block of data is binary. */
export function terminalTextGuard(): Transform {
  let checked = false;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      if (!checked && chunk.length > 0) {
        checked = true;
        if (!looksLikeText(chunk.subarray(0, 8192))) {
          callback(
            new CliError('DEK_TERMINAL', 'refusing to write binary plaintext to a terminal', {
              exitCode: EXIT.USAGE,
              hint: "write to a file with -o FILE, or redirect: 'dek decrypt ... > file'",
            }),
          );
          return;
        }
      }
      callback(null, chunk);
    },
  });
}
