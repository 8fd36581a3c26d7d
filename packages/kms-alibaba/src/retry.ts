/**
 * Retry with exponential backoff and full jitter, shared by the Alibaba Cloud clients.
 *
 * @module
 */
import { ArgumentError, randomBytes } from '@dek/core';
import { KmsServiceError } from '@dek/kms-adapter';

/** How often and how patiently a client retries a failed call. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 3; 1 disables retries). */
  readonly maxAttempts?: number;
  /** Backoff before the second attempt, in milliseconds (default 100); doubles each time. */
  readonly baseDelayMs?: number;
  /** Ceiling of one backoff, in milliseconds (default 2000). */
  readonly maxDelayMs?: number;
}

/** Error codes Alibaba Cloud KMS uses for throttling and transient server trouble. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'Throttling',
  'Throttling.User',
  'Rejected.Throttling',
  'ServiceUnavailableTemporary',
  'InternalFailure',
  'RequestTimeout',
  'NetworkFailure',
]);

/**
 * True for errors worth another attempt: throttling, 5xx, and timeouts and network failures
 * (status 0, codes `RequestTimeout` / `NetworkFailure`).
 */
export function isRetryableKmsError(error: unknown): boolean {
  if (!(error instanceof KmsServiceError)) return false;
  return error.httpStatus >= 500 || RETRYABLE_CODES.has(error.code);
}

function checkPositiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ArgumentError(`${name} must be a positive integer, got ${String(value)}`, { field: name });
  }
  return value;
}

/** Resolved retry settings. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Fills in the defaults and checks the values. */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  return {
    maxAttempts: checkPositiveInteger('maxAttempts', options.maxAttempts ?? 3),
    baseDelayMs: checkPositiveInteger('baseDelayMs', options.baseDelayMs ?? 100),
    maxDelayMs: checkPositiveInteger('maxDelayMs', options.maxDelayMs ?? 2000),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A uniform integer in [0, max], from the CSPRNG (jitter needs no secrecy, but one source is simpler to audit). */
function jitter(max: number): number {
  const [a = 0, b = 0, c = 0, d = 0] = randomBytes(4);
  return Math.floor((((a << 24) | (b << 16) | (c << 8) | d) >>> 0) / 2 ** 32 * (max + 1));
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error, or the attempts run out
 * (the last error is thrown). Backoff before attempt n+1 is uniform in [0, min(max, base * 2^(n-1))].
 */
export async function withRetry<T>(policy: RetryPolicy, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= policy.maxAttempts || !isRetryableKmsError(error)) throw error;
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
      await sleep(jitter(ceiling));
    }
  }
}
