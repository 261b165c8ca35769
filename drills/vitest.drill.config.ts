import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Used by `pnpm drill <scenario>` (core/cli/vitest-runner.ts), which sets DRILL_* in the environment:
// Allure results go into the run's own directory.
const runId = process.env.DRILL_RUN_ID;
const outDir = process.env.DRILL_OUT_DIR ?? 'out';
const resultsDir = runId ? join(outDir, 'runs', runId, 'allure-results') : join(outDir, 'allure-results');

export default defineConfig({
  test: {
    include: ['drills/**/*.drill.ts'],
    setupFiles: ['allure-vitest/setup'],
    // drill-reporter.ts: failed checks only, one line each; the engine's console tells the run.
    reporters: ['./drills/drill-reporter.ts', ['allure-vitest/reporter', { resultsDir }]],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    // The engine runs the whole drill in one beforeAll; its own timeouts (steps, recovery) bound it.
    hookTimeout: 24 * 3_600_000,
    testTimeout: 60_000,
  },
});
