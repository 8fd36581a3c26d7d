/**
 * Reads and writes at a position on a file descriptor, through libuv's pool (so that they overlap
 * work on the calling thread), never short: a read that meets the end of the file early and a
 * write that stops early are finished or reported.
 *
 * @module
 */
import { fstat, read, readSync, writev, writevSync } from 'node:fs';
import { StateError } from '@dek/core';

/** One read: the bytes it got (0 at the end of the file). */
export function readAt(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, offset, length, position, (error, bytes) => (error ? reject(error) : resolve(bytes)));
  });
}

/** Reads until `buffer` is full or the file ends; returns the bytes read. */
export async function readUpTo(fd: number, buffer: Uint8Array, position: number): Promise<number> {
  let done = 0;
  while (done < buffer.length) {
    const bytes = await readAt(fd, buffer, done, buffer.length - done, position + done);
    if (bytes === 0) break;
    done += bytes;
  }
  return done;
}

/** Reads exactly `buffer.length` bytes at `position`; StateError when the file ends first (it shrank). */
export async function readFully(fd: number, buffer: Uint8Array, position: number): Promise<void> {
  if ((await readUpTo(fd, buffer, position)) < buffer.length) {
    throw new StateError('the input file shrank while it was read', { field: 'source', offset: position });
  }
}

function writevAt(fd: number, pieces: Uint8Array[], position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    writev(fd, pieces, position, (error, bytes) => (error ? reject(error) : resolve(bytes)));
  });
}

/** What is left of `pieces` once the first `bytes` of them are written. */
function unwritten(pieces: readonly Uint8Array[], bytes: number): Uint8Array[] {
  const left: Uint8Array[] = [];
  for (const piece of pieces) {
    if (bytes >= piece.length) bytes -= piece.length;
    else {
      left.push(piece.subarray(bytes));
      bytes = 0;
    }
  }
  return left;
}

/** Writes all of `pieces`, in order, from `position` (one writev, resumed after a short write). */
export async function writeAt(fd: number, pieces: Uint8Array | Uint8Array[], position: number): Promise<void> {
  let rest = Array.isArray(pieces) ? pieces : [pieces];
  while (rest.length > 0) {
    const bytes = await writevAt(fd, rest, position);
    position += bytes;
    rest = unwritten(rest, bytes);
  }
}

/** The file's current size. */
export function fileSize(fd: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fstat(fd, (error, stats) => (error ? reject(error) : resolve(stats.size)));
  });
}

/** {@link readFully} without leaving the thread: a read from the page cache is a copy, not a wait. */
export function readFullySync(fd: number, buffer: Uint8Array, position: number): void {
  let done = 0;
  while (done < buffer.length) {
    const bytes = readSync(fd, buffer, done, buffer.length - done, position + done);
    if (bytes === 0) throw new StateError('the input file shrank while it was read', { field: 'source', offset: position });
    done += bytes;
  }
}

/** {@link writeAt} without leaving the thread. */
export function writeAtSync(fd: number, pieces: Uint8Array | Uint8Array[], position: number): void {
  let rest = Array.isArray(pieces) ? pieces : [pieces];
  while (rest.length > 0) {
    const bytes = writevSync(fd, rest, position);
    position += bytes;
    rest = unwritten(rest, bytes);
  }
}
