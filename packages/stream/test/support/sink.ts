/** A Node Writable that collects what it receives. */
import { Writable } from 'node:stream';
import { concat } from './streams.js';

export function collector(): Writable & { bytes(): Uint8Array } {
  const chunks: Uint8Array[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, callback) {
      chunks.push(new Uint8Array(chunk));
      callback();
    },
  });
  return Object.assign(sink, { bytes: () => concat(chunks) });
}
