import { defineConfig } from 'vitest/config';

export default defineConfig({
  // src/live reaches the guard's .cts files (node: built-ins only, shared with the CLI): transform them like .ts
  oxc: { include: /\.([cm]?ts|[jt]sx)$/ },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // integration tests spawn real Node processes; two cores, so keep the pool small
    maxWorkers: 2,
  },
});
