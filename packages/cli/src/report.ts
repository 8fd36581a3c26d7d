/**
 * Turns any error into the exit code and the lines printed on stderr: `dek: CODE: message`,
 * then an optional `dek: hint: ...`. Library errors are recognised by shape (a `DEK_*` code,
 * or a KMS error's `code` + `httpStatus`), so no class identity across packages is needed.
 * System errors become `DEK_IO` with the reason in words; a closed pipe (`EPIPE`) prints nothing
 * and exits 141, as `cat` does. Every line is escaped for the terminal: messages quote key ids,
 * file names and KMS answers.
 *
 * @module
 */
import { CliError, EXIT, type ExitCode } from './errors.js';
import { systemReason } from './io/io-error.js';
import { escapeTerminal } from './terminal-escape.js';

/** What to print and how to exit. */
export interface ErrorReport {
  readonly exitCode: ExitCode;
  /** Lines for stderr, without trailing newlines. */
  readonly lines: readonly string[];
}

const DEK_HINTS: Readonly<Record<string, string>> = {
  DEK_AUTH: 'the file was damaged or modified, cut short inside a chunk, or has bytes appended (more than 64, or after a damaged end)',
  DEK_COMMITMENT: 'the data key or the encryption context does not match this file: it was modified or damaged',
  DEK_HEADER_MAC: 'the header was modified or damaged',
  DEK_TRUNCATED: 'the file is incomplete (an interrupted copy or download?)',
  DEK_TRAILING_DATA: 'bytes were appended after the end of the message (a stray newline, padding, two files joined); cut them off and decrypt again',
  DEK_FORMAT: 'this is not a dek file, or it is damaged',
  DEK_KEY_NOT_ALLOWED: "the file names none of the keys given with -k (see them with 'dek inspect <file>'); no KMS was asked to unwrap it",
  DEK_KMS: "check that the key exists and is enabled ('dek key describe <key>') and that DEK_HOME / --kms point at the right keystore",
};

const KMS_HINTS: Readonly<Record<string, string>> = {
  'Forbidden.KeyNotFound': "list the keys with 'dek key list'",
  'Forbidden.AliasNotFound': "list the keys and aliases with 'dek key list'",
  'Rejected.Disabled': "enable the key with 'dek key enable <key>'",
  'Forbidden.OnlySymmetricKeySupported': 'envelopes need a symmetric key (spec Aliyun_AES_256 or Aliyun_AES_128); this one is asymmetric',
  'Rejected.PendingDeletion': 'the key is scheduled for deletion; cancel the deletion to use it',
  AliasAlreadyExists: "pick another alias, or see which key has it with 'dek key list'",
  'Keystore.NotFound': "create the local keystore with 'dek init' (or point DEK_HOME / --home at an existing one)",
  'Keystore.WrongMasterKey': 'the master key (DEK_MASTER_KEY, or master.key beside the keystore) does not open this keystore',
  'Keystore.MasterKeyMissing': 'set DEK_MASTER_KEY, or restore the master.key file beside the keystore',
  'Keystore.InvalidMasterKey': 'the master key must be base64 of exactly 32 bytes',
  'Keystore.InsecureMasterKeyFile': 'make the master key file private: chmod 600 <home>/master.key (and own it)',
  'Keystore.LockTimeout': 'another dek process holds the keystore lock; retry in a moment',
  'Keystore.Corrupt': 'the keystore file is damaged; restore it from a backup',
  NotFoundException: 'no such AWS KMS key or alias in this account and region (check -k, --aws-region / AWS_REGION)',
  DisabledException: 'the AWS KMS key is disabled; enable it with the AWS console or CLI',
  UnrecognizedClientException: 'the AWS access key id is not known here (check AWS_ACCESS_KEY_ID, --aws-profile, --aws-endpoint)',
  InvalidSignatureException: 'the AWS secret key does not match its access key id, or the region is wrong (check AWS_SECRET_ACCESS_KEY, --aws-region)',
  AccessDeniedException: 'the AWS credentials may not use this key',
  'InvalidAccessKeyId.NotFound': 'the Alibaba AccessKeyId is not known here (check ALIBABA_CLOUD_ACCESS_KEY_ID, --alibaba-endpoint)',
  SignatureDoesNotMatch: 'the Alibaba AccessKey secret does not match its id (check ALIBABA_CLOUD_ACCESS_KEY_SECRET)',
  NetworkFailure: 'the KMS could not be reached: check the endpoint and the network',
};

/**
 * KMS codes that mean the command cannot run as set up (exit 2), not that data, a key or the
 * credentials were refused: besides these, Alibaba's `InvalidParameter*` / `MissingParameter*`.
 */
const KMS_USAGE_CODES: ReadonlySet<string> = new Set([
  'Keystore.NotFound',
  'Keystore.MasterKeyMissing',
  'Keystore.InvalidMasterKey',
  'AliasAlreadyExists',
  'Rejected.UnsupportedOperation',
  'ValidationException',
]);

interface Shaped {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly details?: unknown;
  readonly httpStatus?: unknown;
  readonly requestId?: unknown;
  readonly syscall?: unknown;
  readonly path?: unknown;
}

function isObject(value: unknown): value is Shaped {
  return typeof value === 'object' && value !== null;
}

/** One line per KMS slot failure listed in a `DEK_KMS` error's `details.failures`. */
function slotFailures(details: unknown, debug: boolean): string[] {
  if (!isObject(details)) return [];
  const failures = (details as { failures?: unknown }).failures;
  if (!Array.isArray(failures)) return [];
  return failures.map((failure: unknown, index) => {
    if (!isObject(failure)) return `dek:   slot ${index}: ${String(failure)}`;
    const f = failure as Record<string, unknown>;
    const inner = isObject(f['error']) ? (f['error'] as Shaped) : (f as Shaped);
    const where = [f['kms'], f['keyId']].filter((v) => typeof v === 'string').join(' ');
    const code = typeof inner.code === 'string' ? `${inner.code}: ` : '';
    const message = oneLine(typeof inner.message === 'string' ? inner.message : String(f['reason'] ?? 'failed'), debug);
    const slot = typeof f['index'] === 'number' ? f['index'] : index;
    return `dek:   slot ${String(slot)}${where ? ` (${where})` : ''}: ${code}${message}`;
  });
}

/** The hint for the KMS code inside a `DEK_KMS` error (its own, or its first slot failure's). */
function kmsHint(details: unknown): string | undefined {
  if (!isObject(details)) return undefined;
  const d = details as { code?: unknown; failures?: unknown };
  const first: unknown = Array.isArray(d.failures) ? d.failures[0] : undefined;
  const code = typeof d.code === 'string' ? d.code : isObject(first) ? first.code : undefined;
  return typeof code === 'string' ? KMS_HINTS[code] : undefined;
}

/** Builds the report for any thrown value. Set `debug` to append the stack (never secrets: stacks hold no data). */
export function reportError(error: unknown, debug = false): ErrorReport {
  if (isObject(error) && error.code === 'EPIPE') return { exitCode: EXIT.BROKEN_PIPE, lines: [] };
  const lines: string[] = [];
  let exitCode: ExitCode = EXIT.FAILURE;
  let hint: string | undefined;
  if (error instanceof CliError) {
    lines.push(`dek: ${error.code}: ${error.message}`);
    exitCode = error.exitCode;
    hint = error.hint;
  } else if (isObject(error) && typeof error.code === 'string' && error.code.startsWith('DEK_')) {
    const code = error.code;
    lines.push(`dek: ${code}: ${oneLine(error.message, debug)}${fieldSuffix(error.details)}`);
    lines.push(...slotFailures(error.details, debug));
    exitCode = code === 'DEK_ARGUMENT' ? EXIT.USAGE : EXIT.FAILURE;
    hint = (code === 'DEK_KMS' ? kmsHint(error.details) : undefined) ?? DEK_HINTS[code];
  } else if (isObject(error) && typeof error.code === 'string' && typeof error.httpStatus === 'number') {
    const request = typeof error.requestId === 'string' && error.requestId ? ` (request ${error.requestId})` : '';
    lines.push(`dek: ${error.code}: ${oneLine(error.message, debug)}${request}`);
    const usage = KMS_USAGE_CODES.has(error.code) || (error.httpStatus === 400 && /^(InvalidParameter|MissingParameter)/.test(error.code));
    exitCode = usage ? EXIT.USAGE : EXIT.FAILURE;
    hint = KMS_HINTS[error.code];
  } else if (isObject(error) && typeof error.code === 'string' && typeof error.syscall === 'string') {
    const path = typeof error.path === 'string' ? ` '${error.path}'` : '';
    lines.push(`dek: DEK_IO: ${error.syscall}${path} failed: ${systemReason(error)}`);
  } else {
    const message = oneLine(error instanceof Error ? error.message : String(error), debug);
    lines.push(`dek: ERROR: ${message}`);
  }
  if (hint) lines.push(`dek: hint: ${hint}`);
  const escaped = lines.map((line) => escapeTerminal(line, { multiline: debug }));
  if (debug && error instanceof Error && error.stack) escaped.push(escapeTerminal(error.stack, { multiline: true }));
  return { exitCode, lines: escaped };
}

/**
 * The first line of a message, so each failure stays one line: some KMS errors carry more (AWS's
 * InvalidSignatureException adds the canonical request it expected). All of it with `debug`.
 */
function oneLine(message: unknown, debug: boolean): string {
  const text = String(message);
  const end = text.indexOf('\n');
  if (debug || end < 0) return text;
  return `${text.slice(0, end).trimEnd()} [more with DEK_DEBUG=1]`;
}

function fieldSuffix(details: unknown): string {
  if (!isObject(details)) return '';
  const d = details as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof d['field'] === 'string') parts.push(`field ${d['field']}`);
  if (typeof d['chunkIndex'] === 'number') parts.push(`chunk ${d['chunkIndex']}`);
  if (typeof d['offset'] === 'number') parts.push(`offset ${d['offset']}`);
  return parts.length > 0 ? ` [${parts.join(', ')}]` : '';
}
