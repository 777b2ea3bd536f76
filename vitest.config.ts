import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // the JSON report feeds the plain "N passed, N failed" line printed by .ci/run
    reporters: ['default', ['json', { outputFile: 'out/test-results.json' }]],
  },
});
