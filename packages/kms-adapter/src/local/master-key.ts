/**
 * The keystore's master key: 32 random bytes, written as one line of base64, taken from (first
 * match wins) an explicit value, the `DEK_MASTER_KEY` environment variable, or a key file that
 * only its owner may read (mode 0600, like an ssh private key).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDirectory } from './atomic-file.js';
import { ioFault, keystoreFault, withRequestId } from './faults.js';
import { randomAlphanumerics } from './ids.js';
import { MASTER_KEY_LENGTH } from './keystore-crypto.js';

/** Name of the environment variable holding a base64 master key. */
export const MASTER_KEY_ENV = 'DEK_MASTER_KEY';

/** Where to find the master key. */
export interface MasterKeySource {
  /** The key itself: 32 bytes, or their base64. */
  readonly masterKey?: Uint8Array | string;
  /** Environment to read `DEK_MASTER_KEY` from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Path of a master key file. */
  readonly masterKeyFile?: string;
}

/** Decodes base64 text (surrounding whitespace ignored) of exactly 32 bytes; `where` names the source in errors. */
function parseMasterKey(text: string, where: string): Uint8Array {
  const trimmed = text.trim();
  const bytes = new Uint8Array(Buffer.from(trimmed, 'base64'));
  if (bytes.length !== MASTER_KEY_LENGTH || Buffer.from(bytes).toString('base64') !== trimmed) {
    bytes.fill(0);
    throw keystoreFault('Keystore.InvalidMasterKey', `The master key in ${where} is not base64 of exactly ${MASTER_KEY_LENGTH} bytes.`);
  }
  return bytes;
}

async function readKeyFile(path: string): Promise<Uint8Array | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioFault('stat master key file', path, error);
  }
  if (process.platform !== 'win32') {
    if ((info.mode & 0o077) !== 0) {
      throw keystoreFault(
        'Keystore.InsecureMasterKeyFile',
        `The master key file ${path} is accessible by group or others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it.`,
      );
    }
    if (typeof process.getuid === 'function' && info.uid !== process.getuid()) {
      throw keystoreFault('Keystore.InsecureMasterKeyFile', `The master key file ${path} is owned by another user (uid ${info.uid}).`);
    }
  }
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    throw ioFault('read master key file', path, error);
  });
  return parseMasterKey(text, path);
}

/**
 * Loads the master key from the first source present. Throws `Keystore.MasterKeyMissing` when
 * there is none, `Keystore.InvalidMasterKey` or `Keystore.InsecureMasterKeyFile` when one is bad.
 * Zero the result once a store has been opened with it.
 */
export function loadMasterKey(source: MasterKeySource): Promise<Uint8Array> {
  return withRequestId(() => findMasterKey(source));
}

async function findMasterKey(source: MasterKeySource): Promise<Uint8Array> {
  if (source.masterKey !== undefined) {
    if (typeof source.masterKey === 'string') return parseMasterKey(source.masterKey, 'the masterKey option');
    if (source.masterKey.length !== MASTER_KEY_LENGTH) {
      throw keystoreFault('Keystore.InvalidMasterKey', `The masterKey option must be ${MASTER_KEY_LENGTH} bytes, got ${source.masterKey.length}.`);
    }
    return source.masterKey.slice();
  }
  const fromEnv = (source.env ?? process.env)[MASTER_KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseMasterKey(fromEnv, `$${MASTER_KEY_ENV}`);
  if (source.masterKeyFile !== undefined) {
    const fromFile = await readKeyFile(source.masterKeyFile);
    if (fromFile !== undefined) return fromFile;
  }
  const file = source.masterKeyFile === undefined ? '' : ` and ${source.masterKeyFile} does not exist`;
  throw keystoreFault('Keystore.MasterKeyMissing', `No master key: $${MASTER_KEY_ENV} is not set${file}.`);
}

/**
 * Creates a master key file holding a fresh random key (mode 0600), atomically: the file appears
 * complete or not at all. Returns false, changing nothing, when the file already exists.
 */
export function createMasterKeyFile(path: string): Promise<boolean> {
  return withRequestId(() => writeNewMasterKeyFile(path));
}

async function writeNewMasterKeyFile(path: string): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomAlphanumerics(8)}.tmp`;
  const key = randomBytes(MASTER_KEY_LENGTH);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${key.toString('base64')}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw ioFault('create master key file', path, error);
  } finally {
    key.fill(0);
    await unlink(temp).catch(() => undefined);
  }
  await fsyncDirectory(dirname(path));
  return true;
}
