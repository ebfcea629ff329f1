import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/__fixtures__/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
