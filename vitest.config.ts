import { defineConfig } from 'vitest/config';

// Unit tests: pure code, no cluster, no network beyond loopback servers the test starts itself.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
  },
});
