import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests import @dek/* by name and get the TypeScript sources through the
// project-unique "@dek/source" export condition; no build is needed first.
const conditions = ['@dek/source', ...defaultServerConditions];

const project = (name: string, root: string) => ({
  extends: true as const,
  test: { name, root, include: ['test/**/*.test.ts'] },
});

export default defineConfig({
  resolve: { conditions },
  // vitest hands ssr.resolve.conditions to its workers as `node --conditions`; with 'module'
  // there, Node loads @aws-sdk/core's bundler-only build and fails to resolve its imports.
  ssr: { resolve: { conditions: conditions.filter((c) => c !== 'module') } },
  test: {
    reporters: ['default', './test-support/summary-reporter.ts'],
    setupFiles: [new URL('./test-support/fast-check-setup.ts', import.meta.url).pathname],
    // The AWS SDK's notice that its releases after January 2027 need Node 22 (printed once per
    // test file that loads it); the SDK version is pinned, so it says nothing about these tests.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      project('core', 'packages/core'),
      project('kms-adapter', 'packages/kms-adapter'),
      project('kms-alibaba', 'packages/kms-alibaba'),
      project('kms-aws', 'packages/kms-aws'),
      project('stream', 'packages/stream'),
      project('kms-server', 'packages/kms-server'),
      project('cli', 'packages/cli'),
      project('fuzz', 'fuzz'),
    ],
  },
});
