/**
 * `dek decrypt`: a whole envelope (file or stdin) to a file (appears only once everything
 * verified) or stdout (authenticated chunks as they verify); `--range` decrypts only some
 * plaintext bytes of a file by random access.
 *
 * @module
 */
import type { Transform } from 'node:stream';
import type { EnvelopeHeader } from '@dek/core';
import { decryptFile, decryptStream } from '@dek/stream';
import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import { isStdio, openInput, STREAM_BUFFER_SIZE } from '../io/input.js';
import { checkOutput, openOutput, PLAINTEXT_MODE } from '../io/output.js';
import { writeOutput } from '../io/write-output.js';
import { fileEngineStreams } from '../io/file-engine.js';
import { terminalTextGuard } from '../io/terminal.js';
import { withKms } from '../kms.js';
import { allowedKeysOf, parseContext, parseRange, requireContext } from '../options.js';
import { createProgress } from '../progress.js';
import { decryptRange } from './range.js';

/** Flags of `dek decrypt`. */
export interface DecryptFlags {
  readonly output?: string;
  readonly force?: boolean;
  readonly range?: string;
  /** Context pairs the file must carry (`-c key=value`). */
  readonly context?: string[];
  /** The keys that may unwrap (`-k`, repeatable); any when absent. */
  readonly key?: string[];
}

/** Runs `dek decrypt [in]`. */
export async function runDecrypt(context: Context, inputPath: string | undefined, flags: DecryptFlags): Promise<void> {
  const range = flags.range === undefined ? undefined : parseRange(flags.range);
  const required = parseContext(flags.context);
  const allowed = allowedKeysOf(flags.key);
  if (range !== undefined && isStdio(inputPath)) {
    throw usageError('--range needs a file input (random access), not stdin', 'pass the encrypted file as an argument: dek decrypt --range 0-1023 file.dek');
  }
  await checkOutput(flags.output, { force: flags.force === true });
  if (range !== undefined) {
    await decryptRange(context, inputPath as string, range, required, flags);
    return;
  }
  const input = await openInput(inputPath, 'ciphertext');
  await withKms(context, { init: 'never' }, async ({ kmsByProvider }) => {
    const output = await openOutput(flags.output, { force: flags.force === true, what: 'plaintext', refuseTerminal: false, mode: PLAINTEXT_MODE });
    const progress = createProgress({ label: 'decrypt', total: input.size, quiet: context.quiet });
    const guard: Transform[] = output.isTerminal ? [terminalTextGuard()] : [];
    const options = { kmsByProvider, ...allowed, onHeader: (header: EnvelopeHeader) => requireContext(header.context, required) };
    const engine = fileEngineStreams(input, output, progress, (source, target, onProgress) => decryptFile(source, target, { ...options, onProgress }));
    await writeOutput(output, engine ?? [input.stream, progress.meter, decryptStream({ ...options, highWaterMark: STREAM_BUFFER_SIZE }), ...guard], progress);
  }).catch((error: unknown) => {
    input.stream.destroy();
    throw error;
  });
}
