import { defineConfig } from 'vitest/config';

// Integration tests: real kube-apiservers + controller managers + etcd started by
// test/integration/global-setup.ts (src/local-cluster). Long timeouts; files run one at a time
// because they share the clusters and the machine has 2 cores.
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/integration/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
