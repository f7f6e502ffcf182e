import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts', 'scripts/**/*.test.ts'],
    // Forks isolate native add-ons and worker threads between test files.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
