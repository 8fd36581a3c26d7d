/**
 * The file engine's positional reads: an input that ends before the bytes its size promised (it
 * shrank while it was read) is a typed StateError naming the offset, never a short buffer used as
 * if it were whole; writes land whole at their offset.
 */
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateError } from '@dek/core';
import { readFully, readFullySync, writeAtSync } from '../src/file/positional-io.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dek-positional-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('positional I/O of the file engine', () => {
  it('reads exactly the bytes asked for, and a file that ends first is StateError at that offset', async () => {
    const path = join(dir, 'short');
    await writeFile(path, new Uint8Array(100).map((_, i) => i));
    const handle = await open(path, 'r');
    try {
      const exact = new Uint8Array(40);
      readFullySync(handle.fd, exact, 60);
      expect(exact[0]).toBe(60);
      expect(exact[39]).toBe(99);
      for (const read of [() => readFullySync(handle.fd, new Uint8Array(41), 60), () => readFully(handle.fd, new Uint8Array(41), 60)]) {
        const error = await Promise.resolve().then(read).then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(StateError);
        expect((error as StateError).details).toMatchObject({ field: 'source', offset: 60 });
      }
    } finally {
      await handle.close();
    }
  });

  it('writes a buffer whole at its offset', async () => {
    const path = join(dir, 'out');
    const handle = await open(path, 'w+');
    try {
      writeAtSync(handle.fd, new Uint8Array([1, 2, 3]), 5);
    } finally {
      await handle.close();
    }
    expect([...(await readFile(path))]).toEqual([0, 0, 0, 0, 0, 1, 2, 3]);
  });

  it('writes pieces in order from the offset, empty ones included', async () => {
    const path = join(dir, 'pieces');
    const handle = await open(path, 'w+');
    try {
      writeAtSync(handle.fd, [new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array([3]), new Uint8Array([4, 5, 6])], 2);
    } finally {
      await handle.close();
    }
    expect([...(await readFile(path))]).toEqual([0, 0, 1, 2, 3, 4, 5, 6]);
  });
});
