import { defineConfig } from 'vitest/config';

/**
 * Five tiers, run in this order by `npm test`:
 *   unit         fast, fakes only, no Docker
 *   fuzz         the real app over fakes, sent generated garbage (fast-check, bounded runs)
 *   integration  real Docker engine and real Kafka
 *   e2e          real Chromium against the real app
 *   labs         every lab: checks fail on a fresh environment, pass after solve.sh
 */
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 10_000 } },
      {
        test: {
          name: 'fuzz',
          include: ['test/fuzz/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'labs',
          include: ['test/labs/**/*.test.ts'],
          testTimeout: 900_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
