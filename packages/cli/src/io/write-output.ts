/**
 * The one way a command writes its result: run the pipeline into the output, then commit it
 * (rename into place); on any failure discard it, so no partial file is ever left as if whole,
 * and report a failed write with what it left behind.
 *
 * @module
 */
import { pipeline } from 'node:stream/promises';
import type { Progress } from '../progress.js';
import type { Output } from './output.js';

/**
 * Pipes `streams` into `output.stream`, runs `verify` (throw to refuse the result), and commits
 * the output; on any error aborts it and rethrows (a write failure explained). Stops `progress` either way.
 */
export async function writeOutput(
  output: Output,
  streams: ReadonlyArray<NodeJS.ReadableStream | NodeJS.ReadWriteStream>,
  progress: Progress,
  verify: () => void = () => {},
): Promise<void> {
  try {
    await pipeline([...streams, output.stream]);
    verify();
    await output.commit();
  } catch (error) {
    await output.abort();
    throw output.explain(error);
  } finally {
    progress.stop();
  }
}
