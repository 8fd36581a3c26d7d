import { expect } from 'vitest';
import { KmsServiceError } from '@dek/kms-adapter';

/** A UUID request id. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Awaits `promise`, expects a KmsServiceError with this status and code (and message), returns it. */
export async function expectKmsError(
  promise: Promise<unknown>,
  httpStatus: number,
  code: string,
  message?: string,
): Promise<KmsServiceError> {
  const error: unknown = await promise.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KmsServiceError);
  const kmsError = error as KmsServiceError;
  expect({ httpStatus: kmsError.httpStatus, code: kmsError.code }).toEqual({ httpStatus, code });
  expect(kmsError.requestId).toMatch(UUID);
  if (message !== undefined) expect(kmsError.message).toBe(message);
  return kmsError;
}

/** A clock tests move by hand. */
export class FakeClock {
  ms: number;

  constructor(start = Date.UTC(2026, 0, 1, 0, 0, 0, 123)) {
    this.ms = start;
  }

  readonly now = (): Date => new Date(this.ms);

  advanceDays(days: number): void {
    this.ms += days * 86_400_000;
  }

  advanceMs(ms: number): void {
    this.ms += ms;
  }
}

export const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

/** Awaits a call expected to fail with a KmsServiceError (of any status, code or request id) and returns the error. */
export async function kmsFailure(call: Promise<unknown>): Promise<KmsServiceError> {
  const error: unknown = await call.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KmsServiceError);
  return error as KmsServiceError;
}
