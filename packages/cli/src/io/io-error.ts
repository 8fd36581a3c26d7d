/**
 * Wraps a Node file-system error met while opening a file into a {@link CliError} that names
 * the file and says why, in words.
 *
 * @module
 */
import { CliError, EXIT } from '../errors.js';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EEXIST: 'already exists',
};

/** `DEK_IO` usage error (exit 2) for a failure to open or create a file. */
export function ioError(error: unknown, what: string): CliError {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const reason = typeof code === 'string' ? (REASONS[code] ?? code) : error instanceof Error ? error.message : String(error);
  return new CliError('DEK_IO', `${what}: ${reason}`, { exitCode: EXIT.USAGE, cause: error });
}
