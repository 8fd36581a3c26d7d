/**
 * Opening the KMS a command uses, chosen by `--kms` / `DEK_KMS`: the local keystore (default),
 * or a cloud KMS when its adapter is part of this build. A missing local keystore is created on
 * request (`--init`), after asking on a terminal, or reported with what to run.
 *
 * @module
 */
import { createInterface } from 'node:readline/promises';
import type { AdvanceKms, KeyAdministration, LocalKms } from '@dek/kms-adapter';
import { openCloudKms } from './cloud.js';
import type { Context } from './context.js';
import { note } from './context.js';
import { CliError, EXIT } from './errors.js';
import { initLocal, localKeystoreExists, openLocal } from './local.js';

/** An open KMS: the crypto calls, and the key administration where the CLI can do it. */
export interface KmsSession {
  readonly kms: AdvanceKms;
  /** Key administration: the local keystore only (cloud keys are managed with the cloud's tools). */
  readonly admin: KeyAdministration | undefined;
  /** The local KMS itself (what `dek serve` serves), undefined for a cloud KMS. */
  readonly local: LocalKms | undefined;
}

/** What to do when the local keystore does not exist yet. */
export type InitPolicy = 'never' | 'ask' | 'yes';

function noKeystore(context: Context): CliError {
  return new CliError('DEK_NO_KEYSTORE', `no local keystore in ${context.home}`, {
    exitCode: EXIT.USAGE,
    hint: "run 'dek init' first (or pass --init to dek encrypt, or set DEK_HOME / --home to an existing keystore)",
  });
}

/** Asks on the terminal whether to create the keystore; false when there is no terminal. */
async function confirmInit(context: Context): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`dek: no local keystore in ${context.home}. Create it now? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function openChosen(context: Context, init: InitPolicy): Promise<KmsSession> {
  if (context.kms !== 'local') return { kms: openCloudKms(context.kms), admin: undefined, local: undefined };
  if (!(await localKeystoreExists(context.home))) {
    const create = init === 'yes' || (init === 'ask' && (await confirmInit(context)));
    if (!create) throw noKeystore(context);
    const created = await initLocal(context.home);
    note(context, `created the local keystore in ${context.home} with key ${created.keyId ?? '?'} (${created.alias}); back up ${created.masterKeyPath}`);
  }
  const local = await openLocal(context.home);
  return { kms: local, admin: local, local };
}

/** The session's key administration; DEK_UNAVAILABLE (exit 2) for a cloud KMS. */
export function requireAdmin(context: Context, session: KmsSession): KeyAdministration {
  if (session.admin === undefined) {
    throw new CliError('DEK_UNAVAILABLE', `dek key manages the local keystore only, not ${context.kms} keys`, {
      exitCode: EXIT.USAGE,
      hint: `manage ${context.kms} keys with the cloud's console or CLI`,
    });
  }
  return session.admin;
}

/** Opens the chosen KMS and runs `work` with it. */
export async function withKms<T>(context: Context, options: { init: InitPolicy }, work: (session: KmsSession) => Promise<T>): Promise<T> {
  return work(await openChosen(context, options.init));
}
