/**
 * Every command but `dek serve`, as one module: the bundle then loads a command as one chunk
 * instead of a dozen small ones shared between commands (at start-up, loading files costs more
 * than the code they hold). `dek serve` stays apart: the KMS server is large.
 *
 * @module
 */
export * from './init.js';
export * from './key.js';
export * from './encrypt.js';
export * from './decrypt.js';
export * from './inspect.js';
export * from './rewrap.js';
