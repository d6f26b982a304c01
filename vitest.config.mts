import { defineConfig } from 'vitest/config';

// Integration tests spawn real processes and share one MariaDB database, so test
// files run one at a time (fileParallelism off); each file is still isolated.
// HARVESTER_TEST_REPORT=path adds a JSON report (CI prints a summary line from it).
const report = process.env.HARVESTER_TEST_REPORT;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One temp directory per run, removed at the end (see the file).
    globalSetup: ['test/global-tmpdir.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: report ? ['default', 'json'] : ['default'],
    outputFile: report ? { json: report } : undefined,
  },
});
