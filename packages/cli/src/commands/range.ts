/**
 * `dek decrypt --range`: random access into an envelope file. Only the chunks holding the range
 * are read and authenticated (plus the final chunk, so the length is trusted).
 *
 * @module
 */
import { Readable } from 'node:stream';
import { openEnvelope } from '@dek/stream';
import type { Context } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { openFile } from '../io/input.js';
import { openOutput, PLAINTEXT_MODE } from '../io/output.js';
import { writeOutput } from '../io/write-output.js';
import { terminalTextGuard } from '../io/terminal.js';
import { withKms } from '../kms.js';
import { allowedKeysOf, requireContext, type ByteRange } from '../options.js';
import { createProgress } from '../progress.js';
import type { DecryptFlags } from './decrypt.js';

/** Plaintext bytes decrypted per read: 16 MiB (a whole number of 16 KiB chunks). */
const PIECE = 16 << 20;

/** Decrypts `range` of the plaintext of `path` to the output of `flags`, once the header's context holds `required`. */
export async function decryptRange(context: Context, path: string, range: ByteRange, required: Readonly<Record<string, string>>, flags: DecryptFlags): Promise<void> {
  const handle = await openFile(path);
  try {
    await withKms(context, { init: 'never' }, async ({ kmsByProvider }) => {
      const reader = await openEnvelope(handle, { kmsByProvider, ...allowedKeysOf(flags.key) });
      try {
        requireContext(reader.header.context, required);
        if (range.start > reader.size) {
          throw new CliError('DEK_USAGE', `--range starts at ${range.start}, beyond the end of the plaintext (${reader.size} bytes)`, {
            exitCode: EXIT.USAGE,
            hint: `give a start below ${reader.size}`,
          });
        }
        const end = Math.min(range.end ?? reader.size, reader.size);
        const output = await openOutput(flags.output, { force: flags.force === true, what: 'plaintext', refuseTerminal: false, mode: PLAINTEXT_MODE });
        const progress = createProgress({ label: 'decrypt', total: end - range.start, quiet: context.quiet });
        const pieces = async function* (): AsyncGenerator<Uint8Array> {
          for (let at = range.start; at < end; at += PIECE) yield await reader.read(at, Math.min(at + PIECE, end));
        };
        const guard = output.isTerminal ? [terminalTextGuard()] : [];
        await writeOutput(output, [Readable.from(pieces(), { objectMode: false }), progress.meter, ...guard], progress);
      } finally {
        reader.close();
      }
    });
  } finally {
    await handle.close();
  }
}
