/**
 * Checks of request parameters, with Alibaba's errors: an absent (or empty) required parameter
 * is 400 `MissingParameter`, a wrong type or value 400 `InvalidParameter`; both name the
 * parameter as the OpenAPI spells it (`keyId` -> `KeyId`).
 *
 * @module
 */
import { invalidParameter, missingParameter } from './faults.js';

/** A request as a record of its fields. */
export type Params = Readonly<Record<string, unknown>>;

/** Largest `Aad`. */
export const MAX_AAD_BYTES = 8192;
/** Largest plaintext of Encrypt / AdvanceEncrypt (what an advance blob can carry). */
export const MAX_PLAINTEXT_BYTES = 65536;
/** Largest ciphertext blob accepted (a blob of the largest plaintext). */
export const MAX_CIPHERTEXT_BLOB_BYTES = 3 + 36 + 12 + MAX_PLAINTEXT_BYTES + 16;
/** Range of `NumberOfBytes`. */
export const MIN_NUMBER_OF_BYTES = 1;
export const MAX_NUMBER_OF_BYTES = 1024;
/** Longest `Description`. */
export const MAX_DESCRIPTION_LENGTH = 8192;

/** The OpenAPI name of a field: `keyId` -> `KeyId`. */
export function parameterName(field: string): string {
  return field.charAt(0).toUpperCase() + field.slice(1);
}

/** The request's fields; an absent request has none. */
export function params(request: unknown): Params {
  if (request === undefined || request === null) return {};
  if (typeof request !== 'object' || Array.isArray(request)) throw invalidParameter('Request');
  return request as Params;
}

/** A non-empty string. */
export function requiredString(p: Params, field: string): string {
  const value = p[field];
  if (value === undefined || value === null || value === '') throw missingParameter(parameterName(field));
  if (typeof value !== 'string') throw invalidParameter(parameterName(field));
  return value;
}

/** A string, or undefined when absent. */
export function optionalString(p: Params, field: string): string | undefined {
  const value = p[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(parameterName(field));
  return value;
}

/** A boolean, or undefined when absent. */
export function optionalBoolean(p: Params, field: string): boolean | undefined {
  const value = p[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidParameter(parameterName(field));
  return value;
}

/** Bytes of at most `max`, or undefined when absent. */
export function optionalBytes(p: Params, field: string, max: number): Uint8Array | undefined {
  const value = p[field];
  if (value === undefined || value === null) return undefined;
  if (!(value instanceof Uint8Array) || value.length > max) throw invalidParameter(parameterName(field));
  return value;
}

/** Non-empty bytes of at most `max`. */
export function requiredBytes(p: Params, field: string, max: number): Uint8Array {
  const value = optionalBytes(p, field, max);
  if (value === undefined || value.length === 0) throw missingParameter(parameterName(field));
  return value;
}

/** An integer in `min..max`; `fallback` when absent, or MissingParameter when there is none. */
export function integerInRange(p: Params, field: string, min: number, max: number, fallback?: number): number {
  const value = p[field];
  if (value === undefined || value === null) {
    if (fallback === undefined) throw missingParameter(parameterName(field));
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(parameterName(field));
  }
  return value;
}

/** `Algorithm`: only `AES_GCM` (the default). */
export function algorithm(p: Params): 'AES_GCM' {
  const value = optionalString(p, 'algorithm');
  if (value !== undefined && value !== 'AES_GCM') throw invalidParameter('Algorithm');
  return 'AES_GCM';
}

/** A page of `items` per `PageNumber` (from 1, default 1) and `PageSize` (1..100, default 10). */
export function page<T>(p: Params, items: readonly T[]): { pageNumber: number; pageSize: number; totalCount: number; items: T[] } {
  const pageNumber = integerInRange(p, 'pageNumber', 1, Number.MAX_SAFE_INTEGER, 1);
  const pageSize = integerInRange(p, 'pageSize', 1, 100, 10);
  const from = Math.min((pageNumber - 1) * pageSize, items.length);
  return { pageNumber, pageSize, totalCount: items.length, items: items.slice(from, from + pageSize) };
}
