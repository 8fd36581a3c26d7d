/**
 * Opening the KMS a command uses, chosen by `--kms` / `DEK_KMS`: the local keystore (default),
 * or a cloud KMS (`cloud.ts`, imported only then, as it loads the cloud SDKs). A missing local
 * keystore is created on request (`--init`), after asking on a terminal, or reported with what to
 * run. Decryption can use the chosen KMS and, with a cloud KMS, also the local keystore when one
 * exists, so a file with a local slot and a cloud slot opens either way.
 *
 * @module
 */
import type { AdvanceKms, KeyAdministration, LocalKms } from '@dek/kms-adapter';
import type { Context } from './context.js';
import { note } from './context.js';
import { CliError, EXIT } from './errors.js';
import { initLocal, localKeystoreExists, openLocal } from './local.js';

/** The provider id of the local KMS's slots. */
const LOCAL_PROVIDER = 'local';

/** An open KMS: the crypto calls, and the key administration where the CLI can do it. */
export interface KmsSession {
  /** The chosen KMS: it wraps data keys (encrypt, rewrap). */
  readonly kms: AdvanceKms;
  /**
   * The KMSs that may unwrap a data key, by slot provider id (decrypt, rewrap): the chosen one,
   * and with a cloud KMS also the local keystore when it exists (opened on first use).
   */
  readonly kmsByProvider: Readonly<Record<string, AdvanceKms>>;
  /** Key administration: the local keystore only (cloud keys are managed with the cloud's tools). */
  readonly admin: KeyAdministration | undefined;
  /** The local KMS itself (what `dek serve` serves), undefined for a cloud KMS. */
  readonly local: LocalKms | undefined;
}

/** What to do when the local keystore does not exist yet. */
export type InitPolicy = 'never' | 'ask' | 'yes';

/** Options of {@link withKms}. */
export interface WithKmsOptions {
  readonly init: InitPolicy;
  /** The command administers keys: refused (DEK_UNAVAILABLE) for a cloud KMS before anything is opened. */
  readonly admin?: boolean;
}

function noKeystore(context: Context): CliError {
  return new CliError('DEK_NO_KEYSTORE', `no local keystore in ${context.home}`, {
    exitCode: EXIT.USAGE,
    hint: "run 'dek init' first (or pass --init to dek encrypt, or set DEK_HOME / --home to an existing keystore)",
  });
}

function noAdmin(context: Context): CliError {
  return new CliError('DEK_UNAVAILABLE', `dek key manages the local keystore only, not ${context.kms} keys`, {
    exitCode: EXIT.USAGE,
    hint: `manage ${context.kms} keys with the cloud's console or CLI`,
  });
}

/** Asks on the terminal whether to create the keystore; false when there is no terminal. */
async function confirmInit(context: Context): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  const { createInterface } = process.getBuiltinModule('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`dek: no local keystore in ${context.home}. Create it now? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/**
 * The local KMS of `home`, opened on its first call (once; a failure is that call's error, so a
 * slot of another KMS can still open the file).
 */
function lazyLocal(home: string): AdvanceKms {
  let opened: Promise<LocalKms> | undefined;
  const open = (): Promise<LocalKms> => (opened ??= openLocal(home));
  return {
    provider: LOCAL_PROVIDER,
    advanceGenerateDataKey: async (request) => (await open()).advanceGenerateDataKey(request),
    advanceEncrypt: async (request) => (await open()).advanceEncrypt(request),
    advanceDecrypt: async (request) => (await open()).advanceDecrypt(request),
    resolveKey: async (request) => (await open()).resolveKey(request),
  };
}

interface OpenSession {
  readonly session: KmsSession;
  close(): void;
  /** The error to report for a failure of the work (a cloud client's setup failure in words). */
  explain?(error: unknown): unknown;
}

async function openCloud(context: Context, kms: Exclude<Context['kms'], 'local'>): Promise<OpenSession> {
  const { openCloudKms } = await import('./cloud.js');
  const cloud = openCloudKms(context, kms);
  try {
    const kmsByProvider: Record<string, AdvanceKms> = { [cloud.kms.provider]: cloud.kms };
    if (await localKeystoreExists(context.home)) kmsByProvider[LOCAL_PROVIDER] = lazyLocal(context.home);
    return { session: { kms: cloud.kms, kmsByProvider, admin: undefined, local: undefined }, close: () => cloud.close(), explain: cloud.explain };
  } catch (error) {
    cloud.close();
    throw error;
  }
}

async function openChosen(context: Context, options: WithKmsOptions): Promise<OpenSession> {
  if (context.kms !== 'local') {
    if (options.admin === true) throw noAdmin(context);
    return openCloud(context, context.kms);
  }
  if (!(await localKeystoreExists(context.home))) {
    const create = options.init === 'yes' || (options.init === 'ask' && (await confirmInit(context)));
    if (!create) throw noKeystore(context);
    const created = await initLocal(context.home);
    note(context, `created the local keystore in ${context.home} with key ${created.keyId ?? '?'} (${created.alias}); back up ${created.masterKeyPath}`);
  }
  const local = await openLocal(context.home);
  return { session: { kms: local, kmsByProvider: { [local.provider]: local }, admin: local, local }, close: () => undefined };
}

/** The session's key administration; DEK_UNAVAILABLE (exit 2) for a cloud KMS. */
export function requireAdmin(context: Context, session: KmsSession): KeyAdministration {
  if (session.admin === undefined) throw noAdmin(context);
  return session.admin;
}

/** Opens the chosen KMS, runs `work` with it, then closes the KMS's connections. */
export async function withKms<T>(context: Context, options: WithKmsOptions, work: (session: KmsSession) => Promise<T>): Promise<T> {
  const opened = await openChosen(context, options);
  try {
    return await work(opened.session);
  } catch (error) {
    throw opened.explain?.(error) ?? error;
  } finally {
    opened.close();
  }
}
