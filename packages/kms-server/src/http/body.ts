/**
 * Reads a request body into memory, bounded: a `content-length` over the limit is refused before
 * any byte is read, and a chunked body is cut off as soon as it passes the limit.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { ApiError, requestTooLarge } from '../api-error.js';

/** Reads the whole body of `req`, at most `limit` bytes; over the limit: a 413 {@link ApiError}. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && (!/^\d+$/.test(declared) || Number(declared) > limit)) {
    return Promise.reject(/^\d+$/.test(declared) ? requestTooLarge(limit) : new ApiError(400, 'InvalidParameter', 'The Content-Length header is not valid.'));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let failed = false;
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length > limit) {
        failed = true;
        req.off('data', onData);
        req.resume();
        reject(requestTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('error', (error) => {
      if (!failed) reject(error);
      failed = true;
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks, length));
    });
  });
}
