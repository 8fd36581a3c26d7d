/**
 * The `concurrency` option of encryption and decryption.
 *
 * @module
 */
import { ArgumentError } from '@dek/core';

/** Most threads one message may use. */
export const MAX_CONCURRENCY = 64;

/** Checks `concurrency`: an integer from 1 to {@link MAX_CONCURRENCY}, 1 when undefined (ArgumentError `concurrency`). */
export function checkConcurrency(value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_CONCURRENCY) {
    throw new ArgumentError(`concurrency must be an integer from 1 to ${MAX_CONCURRENCY}`, { field: 'concurrency' });
  }
  return value;
}
