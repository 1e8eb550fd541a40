import { defineConfig } from 'vitest/config';

// Suites that never touch the codec (a real PostgreSQL, a real browser) are named *.once.test.ts:
// CI runs the whole suite once per codec backend, and these only in the native run.
const codecBackendRerun = ['1', 'true', 'yes'].includes((process.env.AUDITCAST_FORCE_JS ?? '').toLowerCase());

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...(codecBackendRerun ? ['test/**/*.once.test.ts'] : [])],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // CLI runs index what they complete before they exit, so no detached indexer outlives a test and
    // writes into a temp dir being removed; the background mode is tested where it is asked for.
    env: { AUDITCAST_INDEX: 'wait' },
    // Builds dist/ (what bin/auditcast.js runs) when lib/ is newer, for the CLI tests.
    globalSetup: ['test/cli/global-setup.ts'],
  },
});
