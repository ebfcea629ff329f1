import { defineConfig } from 'vitest/config';
import SkippedReporter from './test/helpers/skipped-reporter.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/__fixtures__/**'],
    globalSetup: ['test/helpers/global-setup.ts'],
    reporters: ['default', new SkippedReporter()],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
