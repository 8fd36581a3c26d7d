/**
 * Node file-system errors in words: the reason for an errno code, and the {@link CliError} that
 * names the file and says why (no `ENOENT: ENOENT: ...`).
 *
 * @module
 */
import { CliError, EXIT, type ExitCode } from '../errors.js';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  EEXIST: 'already exists',
  ELOOP: 'too many levels of symbolic links',
  ENXIO: 'no reader on the other end, or no such device',
  EPIPE: 'the reading end was closed',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
};

/** The errno code of a Node system error, if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** Why a system call failed, in words (the errno code itself when it has no words here). */
export function systemReason(error: unknown): string {
  const code = errorCode(error);
  if (code !== undefined) return REASONS[code] ?? code;
  return error instanceof Error ? error.message : String(error);
}

/** `DEK_IO` error for a failure to open, create or write a file: exit 2 by default (before any work), 1 while working. */
export function ioError(error: unknown, what: string, exitCode: ExitCode = EXIT.USAGE): CliError {
  return new CliError('DEK_IO', `${what}: ${systemReason(error)}`, { exitCode, cause: error });
}
