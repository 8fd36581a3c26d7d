/**
 * `dek rewrap <file>`: re-wraps the data key (new header slots and MAC); the payload is copied
 * unchanged, every chunk opened on the way unless `--no-verify`. Without `--to` the file's own keys are used again, at their current primary
 * versions (the step after `dek key rotate`). Without `-o` the file is replaced in place,
 * atomically (its permission bits are kept).
 *
 * @module
 */
import { realpath, stat } from 'node:fs/promises';
import { inspect, rewrapFile, rewrapStream, type EnvelopeInfo, type RewrapResult } from '@dek/stream';
import type { EnvelopeHeader } from '@dek/core';
import type { Context } from '../context.js';
import { note } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { isStdio, openFile, openInput, STREAM_BUFFER_SIZE } from '../io/input.js';
import { checkOutput, openOutput } from '../io/output.js';
import { writeOutput } from '../io/write-output.js';
import { fileEngineStreams } from '../io/file-engine.js';
import { withKms, type KmsSession } from '../kms.js';
import { allowedKeysOf, parseKeyRef } from '../options.js';
import { createProgress } from '../progress.js';

/** Flags of `dek rewrap`. */
export interface RewrapFlags {
  readonly to?: string[];
  /** The keys that may open the file (`-k`, repeatable); any when absent. */
  readonly key?: string[];
  readonly output?: string;
  readonly force?: boolean;
  /** False with `--no-verify`: copy the chunks without opening them. */
  readonly verify?: boolean;
}

async function readHeader(path: string): Promise<EnvelopeInfo> {
  const handle = await openFile(path);
  try {
    return await inspect(handle);
  } finally {
    await handle.close();
  }
}

/** The file's own keys, when they all belong to the KMS in use. */
function ownKeys(info: EnvelopeInfo, session: KmsSession): string[] {
  return info.slots.map((slot, index) => {
    if (slot.kms !== session.kms.provider) {
      throw new CliError('DEK_USAGE', `slot ${index} is wrapped by the ${slot.kms} KMS, not ${session.kms.provider}`, {
        exitCode: EXIT.USAGE,
        hint: 'choose the new keys with --to <key> (repeatable), or run with the --kms that wrapped it',
      });
    }
    return slot.keyId;
  });
}

/** Whether every slot already uses its key's primary version (false when that cannot be known). */
async function atPrimaryVersions(info: EnvelopeInfo, session: KmsSession): Promise<boolean> {
  if (session.admin === undefined) return false;
  for (const slot of info.slots) {
    const { keyMetadata } = await session.admin.describeKey({ keyId: slot.keyId });
    if (slot.keyVersionId !== keyMetadata.primaryKeyVersion) return false;
  }
  return true;
}

function describeSlots(header: EnvelopeHeader): string {
  return header.slots.map((slot) => `${slot.keyId}@${slot.keyVersionId ?? '?'}`).join(', ');
}

/** Runs `dek rewrap <file>`. */
export async function runRewrap(context: Context, file: string, flags: RewrapFlags): Promise<void> {
  if (isStdio(file)) throw new CliError('DEK_USAGE', 'rewrap needs a file, not stdin', { exitCode: EXIT.USAGE, hint: 'dek rewrap file.dek [-o out.dek]' });
  const to = flags.to?.map((key) => parseKeyRef(key, '--to'));
  const allowed = allowedKeysOf(flags.key);
  const inPlace = flags.output === undefined;
  await checkOutput(flags.output, { force: flags.force === true });
  const info = await readHeader(file);
  // In place: replace the real file (a symlink stays a symlink) and keep its permission bits.
  const target = inPlace ? await realpath(file) : flags.output;
  const mode = inPlace ? (await stat(file)).mode & 0o777 : undefined;

  await withKms(context, { init: 'never' }, async (session) => {
    const keys = to ?? ownKeys(info, session);
    // With -k the shortcut is skipped: the file's keys are checked by opening it.
    if (to === undefined && inPlace && allowed.allowedKeys === undefined && (await atPrimaryVersions(info, session))) {
      note(context, `${file}: every slot already uses its key's primary version; nothing changed`);
      return;
    }
    const input = await openInput(file, 'dek file');
    const output = await openOutput(target, {
      force: flags.force === true,
      inPlace,
      what: 'ciphertext',
      refuseTerminal: true,
      ...(mode !== undefined ? { mode } : {}),
    }).catch((error: unknown) => {
      input.stream.destroy();
      throw error;
    });
    const progress = createProgress({ label: 'rewrap', total: info.payloadLength === undefined ? undefined : info.headerLength + info.payloadLength, quiet: context.quiet });
    const options = { kms: session.kms, kmsByProvider: session.kmsByProvider, ...allowed, to: keys.map((keyId) => ({ keyId })), verify: flags.verify !== false };
    let result: RewrapResult | undefined;
    const engine = fileEngineStreams(input, output, progress, async (source, target, onProgress) => {
      result = await rewrapFile(source, target, { ...options, onProgress });
    });
    const transform = engine === undefined ? rewrapStream({ ...options, highWaterMark: STREAM_BUFFER_SIZE }) : undefined;
    await writeOutput(output, engine ?? [input.stream, progress.meter, transform!], progress, () => {
      result ??= transform?.result;
      if (result === undefined) throw new Error('rewrap finished without a header');
    });
    const { previous, header } = result!;
    note(context, `${output.path ?? 'stdout'}: ${describeSlots(previous)} -> ${describeSlots(header)}`);
  });
}
