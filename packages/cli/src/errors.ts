/**
 * Exit codes of `dek` and the errors the CLI itself raises. Every failure ends in one line on
 * stderr, `dek: CODE: message`, where CODE is stable: a `DEK_*` code of `@dek/core`, a KMS error
 * code (e.g. `Forbidden.KeyNotFound`), or one of the CLI's own codes below. Messages never carry
 * key bytes or plaintext.
 *
 * @module
 */

/** Exit codes a script can rely on. */
export const EXIT = {
  /** Success. */
  OK: 0,
  /** The data or the key was refused: authentication, format, truncation, KMS failure, I/O failure during work. */
  FAILURE: 1,
  /** The command could not run as given: bad flags or arguments, missing input, existing output, no keystore, unavailable KMS. */
  USAGE: 2,
  /** The program reading stdout (or a FIFO output) exited first (128 + SIGPIPE's 13), as `cat` reports it; nothing is printed. */
  BROKEN_PIPE: 141,
  /** Interrupted by SIGINT (128 + 2); temporary files were removed. */
  INTERRUPTED: 130,
  /** Terminated by SIGTERM (128 + 15); temporary files were removed. */
  TERMINATED: 143,
} as const;

/** One of {@link EXIT}'s values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Codes of errors raised by the CLI itself (library errors keep their own codes). */
export type CliErrorCode =
  /** Bad flags, arguments or option values. */
  | 'DEK_USAGE'
  /** The output file exists and `--force` was not given. */
  | 'DEK_EXISTS'
  /** The local keystore does not exist yet. */
  | 'DEK_NO_KEYSTORE'
  /** The chosen KMS or command is not available in this build. */
  | 'DEK_UNAVAILABLE'
  /** Refusing to write binary data to a terminal. */
  | 'DEK_TERMINAL'
  /** The file's encryption context lacks a pair that `dek decrypt -c` requires (exit 1). */
  | 'DEK_CONTEXT'
  /** An input or output could not be opened (exit 2), or reading or writing it failed while working (exit 1). */
  | 'DEK_IO';

/** An error of the CLI with a stable code, an exit code and an optional hint (what to do). */
export class CliError extends Error {
  /** Stable code printed as `dek: CODE: ...`. */
  readonly code: CliErrorCode;
  /** Process exit code. */
  readonly exitCode: ExitCode;
  /** One line telling the user what to do, printed after the message. */
  readonly hint: string | undefined;

  constructor(code: CliErrorCode, message: string, options: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.exitCode = options.exitCode ?? EXIT.USAGE;
    this.hint = options.hint;
  }
}

/** A usage error (exit 2): bad flags, arguments or values. */
export function usageError(message: string, hint?: string): CliError {
  return new CliError('DEK_USAGE', message, { exitCode: EXIT.USAGE, hint });
}
