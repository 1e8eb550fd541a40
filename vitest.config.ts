import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Builds dist/ (what bin/auditcast.js runs) when lib/ is newer, for the CLI tests.
    globalSetup: ['test/cli/global-setup.ts'],
  },
});
