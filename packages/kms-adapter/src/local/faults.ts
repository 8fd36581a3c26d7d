/**
 * Alibaba Cloud KMS's error catalogue as used by LocalKms. Internal code throws a {@link Fault}
 * (status, code, message); the public entry points turn it into a {@link KmsServiceError} or
 * {@link KeystoreError} carrying the call's request id.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { KmsServiceError } from '../errors.js';
import { KeystoreError } from './keystore-error.js';
import type { KeystoreErrorCode } from './keystore-error.js';

/** An error of the catalogue before it is given a request id. Internal. */
export class Fault extends Error {
  readonly httpStatus: number;
  readonly code: string;

  constructor(httpStatus: number, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Fault';
    this.httpStatus = httpStatus;
    this.code = code;
  }
}

/** A fresh request id (a random UUID), as every call and every error carries one. */
export function newRequestId(): string {
  return randomUUID();
}

/** 400 `MissingParameter`. */
export function missingParameter(name: string): Fault {
  return new Fault(400, 'MissingParameter', `The parameter "${name}" is needed but not provided.`);
}

/** 400 `InvalidParameter`. */
export function invalidParameter(name: string): Fault {
  return new Fault(400, 'InvalidParameter', `The specified parameter "${name}" is not valid.`);
}

/** 404 `Forbidden.KeyNotFound`. */
export function keyNotFound(): Fault {
  return new Fault(404, 'Forbidden.KeyNotFound', 'The specified Key is not found.');
}

/** 404 `Forbidden.AliasNotFound`. */
export function aliasNotFound(): Fault {
  return new Fault(404, 'Forbidden.AliasNotFound', 'The specified Alias is not found.');
}

/** 404 `Forbidden.OnlySymmetricKeySupported` (the advance calls on an asymmetric key). */
export function onlySymmetricKeySupported(keyId: string): Fault {
  return new Fault(
    404,
    'Forbidden.OnlySymmetricKeySupported',
    `The key ${keyId} is not a symmetric key. The API only supports symmetric keys.`,
  );
}

/** 409 `Rejected.Disabled` or `Rejected.PendingDeletion`: the key's state forbids the call. */
export function rejectedState(state: 'Disabled' | 'PendingDeletion'): Fault {
  return new Fault(409, `Rejected.${state}`, `The request was rejected because the key state is ${state}.`);
}

/** 409 `Rejected.StateModifiedFailed`: the state change is not allowed from `state`. */
export function stateModifiedFailed(state: string): Fault {
  return new Fault(
    409,
    'Rejected.StateModifiedFailed',
    `The request was rejected because the key state ${state} does not allow this change.`,
  );
}

/** 400 `AliasAlreadyExists`. */
export function aliasAlreadyExists(): Fault {
  return new Fault(400, 'AliasAlreadyExists', 'AliasName Already Exists.');
}

/** 400 `Rejected.UnsupportedOperation`, with the reason. */
export function unsupportedOperation(reason: string): Fault {
  return new Fault(400, 'Rejected.UnsupportedOperation', `Unsupported operation. ${reason}`);
}

const KEYSTORE_STATUS: Readonly<Record<KeystoreErrorCode, number>> = {
  'Keystore.WrongMasterKey': 403,
  'Keystore.MasterKeyMissing': 400,
  'Keystore.InvalidMasterKey': 400,
  'Keystore.InsecureMasterKeyFile': 403,
  'Keystore.NotFound': 404,
  'Keystore.AlreadyExists': 409,
  'Keystore.Corrupt': 500,
  'Keystore.UnsupportedVersion': 500,
  'Keystore.LockTimeout': 503,
  'Keystore.LockLost': 500,
  'Keystore.IOError': 500,
};

/** A keystore fault; its HTTP status follows from the code. */
export function keystoreFault(code: KeystoreErrorCode, message: string, options?: { cause?: unknown }): Fault {
  return new Fault(KEYSTORE_STATUS[code], code, message, options);
}

/** A failed file-system call, naming the path and errno code (never file contents). */
export function ioFault(action: string, path: string, cause: unknown): Fault {
  const errno = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
  return keystoreFault('Keystore.IOError', `Cannot ${action} ${path}: ${errno}.`, { cause });
}

/**
 * Turns anything thrown inside a call into the public error with `requestId`: a Fault, or a
 * KmsServiceError of a nested call, keeps its status, code and message; anything else is a 500
 * `InternalFailure` (the original error as `cause`).
 */
export function toServiceError(error: unknown, requestId: string): KmsServiceError {
  if (error instanceof KmsServiceError && error.requestId === requestId) return error;
  if (error instanceof Fault || error instanceof KmsServiceError) {
    const fields = { httpStatus: error.httpStatus, code: error.code, message: error.message, requestId };
    const options = error.cause === undefined ? undefined : { cause: error.cause };
    return error.code.startsWith('Keystore.')
      ? new KeystoreError({ ...fields, code: error.code as KeystoreErrorCode }, options)
      : new KmsServiceError(fields, options);
  }
  return new KmsServiceError({ httpStatus: 500, code: 'InternalFailure', message: 'Internal Failure.', requestId }, { cause: error });
}

/** Runs `fn` with a fresh request id; whatever it throws becomes a public error with that id. */
export async function withRequestId<T>(fn: (requestId: string) => Promise<T>): Promise<T> {
  const requestId = newRequestId();
  try {
    return await fn(requestId);
  } catch (error) {
    throw toServiceError(error, requestId);
  }
}
