/**
 * The file engine of `@dek/stream` in the commands: when the input and the output are both
 * regular files, `encrypt`, `decrypt` and `rewrap` seal, open or copy the chunks by position on
 * several threads, straight between the two open files, instead of streaming them. The output is
 * still the command's temporary file, committed (fsync, rename) or aborted by `writeOutput`.
 *
 * @module
 */
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Progress } from '../progress.js';
import type { Input } from './input.js';
import type { Output } from './output.js';

/** A file engine call: from `source` into `target`, reporting the input bytes done. */
export type FileJob = (source: FileHandle, target: FileHandle, onProgress: (done: number) => void) => Promise<unknown>;

/**
 * The streams to hand to `writeOutput` for `job`: one Readable that runs the job on the input's
 * and the output's file handles and then ends, empty (so the output stream just syncs and closes
 * its file). Undefined when either end is not a regular file (a pipe, stdout, a device): stream
 * then.
 */
export function fileEngineStreams(input: Input, output: Output, progress: Progress, job: FileJob): Readable[] | undefined {
  const source = input.handle;
  const target = output.handle;
  if (source === undefined || target === undefined) return undefined;
  let reported = 0;
  const onProgress = (done: number): void => {
    progress.advance(done - reported);
    reported = done;
  };
  async function* run(): AsyncGenerator<never> {
    try {
      await job(source!, target!, onProgress);
    } finally {
      input.stream.destroy(); // closes the input file, never read through the stream
    }
  }
  return [Readable.from(run())];
}
