/**
 * The Alibaba clients of @dek/kms-adapter. They live in src/alibaba/ of that package; until its
 * barrel re-exports them (`export * from './alibaba/index.js'`), tests reach them here, so the
 * switch to `from '@dek/kms-adapter'` is this one line.
 */
export * from '../../../kms-adapter/src/alibaba/index.js';
