/**
 * Awaiting a call that must fail with an error of a given class, for the tests of every KMS
 * client (`failureOf(call, KmsServiceError)`).
 */
import { expect } from 'vitest';

/** Awaits a call expected to fail with an instance of `type` and returns the error. */
export async function failureOf<E extends Error>(call: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  const error: unknown = await call.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}
