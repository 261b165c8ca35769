import { defineConfig } from 'vitest/config';

// Two projects: `unit` is pure and process-free; `lab` boots a real lab per test file.
export default defineConfig({
  test: {
    setupFiles: ['allure-vitest/setup'],
    reporters: [
      'default',
      ['allure-vitest/reporter', { resultsDir: 'out/allure-results' }],
      './scripts/summary-reporter.ts',
    ],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{core,clients,actions,scenarios,probes,reports,targets,lab}/**/*.test.ts'],
          exclude: ['**/*.lab.test.ts', '**/node_modules/**'],
          testTimeout: 10_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'lab',
          include: ['**/*.lab.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          maxWorkers: 2,
          // Lab files boot real processes: run them after the unit tests, two at a time.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
