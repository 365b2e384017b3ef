import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{api,cli,core,ingestion,sensors,sql,test}/**/*.test.ts'],
    // One embedded engine (or one connection to the real servers) for the whole run, never one per test.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Integration tests share one database: files run in parallel, tests in a file in order.
    sequence: { concurrent: false },
    reporters: ['default'],
  },
})
