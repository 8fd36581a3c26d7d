/**
 * `dek encrypt`: one envelope from a file or stdin, to a file (atomically) or stdout.
 *
 * @module
 */
import { encryptFile, encryptStream } from '@dek/stream';
import type { Context } from '../context.js';
import { isStdio, openInput, STREAM_BUFFER_SIZE } from '../io/input.js';
import { checkOutput, openOutput, refuseTerminalStdout } from '../io/output.js';
import { writeOutput } from '../io/write-output.js';
import { refuseRepeatedKeys, refuseRepeatedNames, type NamedKey } from '../distinct-keys.js';
import { fileEngineStreams } from '../io/file-engine.js';
import { withKms } from '../kms.js';
import { parseContext, parseKeyRef } from '../options.js';
import { createProgress } from '../progress.js';

/** Flags of `dek encrypt`. */
export interface EncryptFlags {
  readonly key: string;
  readonly context?: string[];
  readonly alsoTo?: string[];
  readonly output?: string;
  readonly force?: boolean;
  readonly init?: boolean;
}

/** Runs `dek encrypt [in]`. */
export async function runEncrypt(context: Context, inputPath: string | undefined, flags: EncryptFlags): Promise<void> {
  const keyId = parseKeyRef(flags.key, '-k');
  const also = (flags.alsoTo ?? []).map((key) => ({ keyId: parseKeyRef(key, '--also-to') }));
  const named: NamedKey[] = [{ option: '-k', ref: keyId }, ...also.map(({ keyId: ref }) => ({ option: '--also-to', ref }))];
  refuseRepeatedNames(named);
  const encryptionContext = parseContext(flags.context);
  // Everything that can be refused is refused before any KMS call or read.
  if (isStdio(flags.output)) refuseTerminalStdout('ciphertext');
  await checkOutput(flags.output, { force: flags.force === true });
  const input = await openInput(inputPath, 'plaintext');

  await withKms(context, { init: flags.init === true ? 'yes' : 'ask' }, async ({ kms, admin }) => {
    await refuseRepeatedKeys(named, admin);
    const output = await openOutput(flags.output, { force: flags.force === true, what: 'ciphertext', refuseTerminal: true });
    const progress = createProgress({ label: 'encrypt', total: input.size, quiet: context.quiet });
    const options = { kms, keyId, keys: also, context: encryptionContext };
    const engine = fileEngineStreams(input, output, progress, (source, target, onProgress) => encryptFile(source, target, { ...options, onProgress }));
    await writeOutput(output, engine ?? [input.stream, progress.meter, encryptStream({ ...options, highWaterMark: STREAM_BUFFER_SIZE })], progress);
  }).catch((error: unknown) => {
    input.stream.destroy();
    throw error;
  });
}
