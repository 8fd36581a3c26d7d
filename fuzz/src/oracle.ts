/**
 * What counts as a failure of a decoder under fuzzing, and the measurements behind it.
 *
 * A decoder may only ever fail with one of our typed errors ({@link DekError} from `@dek/core`,
 * {@link KmsServiceError} from `@dek/kms-adapter`). Anything else is a finding: another exception,
 * an input that took a second or more, an allocation out of proportion to the input, plaintext
 * released for a modified input, or a result that breaks the decoder's contract.
 *
 * @module
 */
import { DekError } from '@dek/core';
import { KmsServiceError } from '@dek/kms-adapter';

/** The longest one input may take, in milliseconds. */
export const HANG_LIMIT_MS = 1000;

/**
 * Allocation budget around one call: a fixed 32 MiB plus 16 bytes per input byte. Only a decoder
 * that trusts a declared length (e.g. allocating 4 GiB for a u32 that says so) goes over it.
 */
export function allocationBudget(inputLength: number): number {
  return 32 * 1024 * 1024 + 16 * inputLength;
}

/** Kinds of finding. */
export type FindingKind =
  /** An exception that is neither a DekError nor a KmsServiceError. */
  | 'untyped-exception'
  /** One input took {@link HANG_LIMIT_MS} or more. */
  | 'hang'
  /** More memory was allocated than {@link allocationBudget} allows, or an output broke a size limit. */
  | 'allocation'
  /** Plaintext came out that must not have: not a prefix of whole verified chunks, or for an input that must fail. */
  | 'plaintext-released'
  /** A modified input was accepted where it must be rejected (or a valid one rejected). */
  | 'wrong-verdict'
  /** A result breaks the decoder's contract (e.g. it does not re-encode to its input). */
  | 'wrong-output'
  /** The server answered 500, broke its wire format, dropped the connection or crashed. */
  | 'server-failure';

/** One failure found by a harness. */
export interface Finding {
  readonly kind: FindingKind;
  /** What went wrong (no key bytes). */
  readonly message: string;
}

/** Whether `error` is one of our typed errors. */
export function isTypedError(error: unknown): boolean {
  return error instanceof DekError || error instanceof KmsServiceError;
}

/** Name and first line of an error, for findings. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${error.message.split('\n')[0] ?? ''}`;
  }
  return `non-Error thrown: ${String(error)}`;
}

/** A finding for an error that is not typed, or undefined when it is. */
export function untypedFinding(error: unknown, where: string): Finding | undefined {
  if (isTypedError(error)) return undefined;
  const stack = error instanceof Error ? (error.stack ?? '').split('\n').slice(1, 4).join(' | ') : '';
  return { kind: 'untyped-exception', message: `${where}: ${describeError(error)}${stack === '' ? '' : ` @ ${stack.trim()}`}` };
}

/** What one measured call did. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** A measured call: its outcome, wall time and ArrayBuffer/heap growth. */
export interface Measured<T> {
  readonly outcome: Outcome<T>;
  readonly elapsedMs: number;
  /** Growth of `arrayBuffers + heapUsed` across the call (only when measured, else 0). */
  readonly allocated: number;
}

function memoryNow(): number {
  const m = process.memoryUsage();
  return m.arrayBuffers + m.heapUsed;
}

/**
 * Runs `fn`, catching what it throws, timing it and (when `measureMemory`) taking the memory
 * growth across it. Synchronous decoders cannot be interrupted, so a hang is judged after the call.
 */
export async function measure<T>(fn: () => T | Promise<T>, measureMemory: boolean): Promise<Measured<Awaited<T>>> {
  const before = measureMemory ? memoryNow() : 0;
  const start = performance.now();
  let outcome: Outcome<Awaited<T>>;
  try {
    outcome = { ok: true, value: await fn() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  const elapsedMs = performance.now() - start;
  const allocated = measureMemory ? Math.max(0, memoryNow() - before) : 0;
  return { outcome, elapsedMs, allocated };
}

/** Outcome counts by label (`call -> ok | error code`), for `pnpm fuzz --stats`. */
export const outcomeTally = new Map<string, number>();

/** Counts one outcome under `label`. */
export function tally(label: string): void {
  outcomeTally.set(label, (outcomeTally.get(label) ?? 0) + 1);
}

function outcomeLabel(outcome: Outcome<unknown>): string {
  if (outcome.ok) return 'ok';
  const e = outcome.error as { code?: unknown; name?: unknown; details?: { field?: unknown } };
  const field = typeof e?.details?.field === 'string' ? ` ${e.details.field.replace(/\[\d+\]/g, '[i]')}` : '';
  return `${typeof e?.code === 'string' ? e.code : String(e?.name)}${field}`;
}

/**
 * The generic findings of a measured call: untyped exception, hang, allocation over budget.
 * `where` names the call in messages. Also tallies the outcome.
 */
export function genericFindings(m: Measured<unknown>, where: string, inputLength: number): Finding | undefined {
  tally(`${where.replace(/\(.*\)$/, '()')} -> ${outcomeLabel(m.outcome)}`);
  if (!m.outcome.ok) {
    const untyped = untypedFinding(m.outcome.error, where);
    if (untyped !== undefined) return untyped;
  }
  if (m.elapsedMs >= HANG_LIMIT_MS) {
    return { kind: 'hang', message: `${where} took ${m.elapsedMs.toFixed(0)} ms for ${inputLength} input bytes` };
  }
  if (m.allocated > allocationBudget(inputLength)) {
    return { kind: 'allocation', message: `${where} grew memory by ${m.allocated} bytes for ${inputLength} input bytes` };
  }
  return undefined;
}
