import { defineConfig } from 'vitest/config';

// Integration tests spawn real processes and share one MariaDB database, so test
// files run one at a time (fileParallelism off); each file is still isolated.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
