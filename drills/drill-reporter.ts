// What vitest itself prints for `pnpm drill`: the engine's console (the plan, the phases, the verdict) says what
// happened; vitest adds only a failed check, one line each, and errors outside the checks. No banner, no skipped
// tests, no stack traces of assertions, no "N passed" summary after the verdict: a refused or aborted run ends
// with its verdict (its checks are skipped: it measured nothing).
import type { Reporter, SerializedError, TestCase, TestModule, TestSuite, Vitest } from 'vitest/node';

const firstLine = (text: string) => text.split('\n')[0] ?? '';

/** A failed check's line: its name and why, without the assertion's trace. */
export function failedCheckLine(test: Pick<TestCase, 'name' | 'result'>): string | undefined {
  const result = test.result();
  if (result.state !== 'failed') return undefined;
  return `✖ ${test.name}: ${result.errors.map((e) => firstLine(e.message)).join('; ')}`;
}

function suitesOf(module: TestModule): (TestModule | TestSuite)[] {
  return [module, ...module.children.allSuites()];
}

export default class DrillReporter implements Reporter {
  #log: (line: string) => void = (line) => process.stdout.write(`${line}\n`);
  #error: (line: string) => void = (line) => process.stderr.write(`${line}\n`);

  onInit(vitest: Vitest): void {
    this.#log = (line) => vitest.logger.log(line);
    this.#error = (line) => vitest.logger.error(line);
  }

  onTestCaseResult(test: TestCase): void {
    const line = failedCheckLine(test);
    if (line) this.#log(line);
  }

  // An error outside a check (the drill file could not load, the engine threw) is a bug or bad input: in full.
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    for (const module of modules) {
      for (const suite of suitesOf(module)) {
        for (const e of suite.errors()) this.#error(`drill: ${module.moduleId}: ${e.stack ?? e.message}`);
      }
    }
    for (const e of unhandledErrors) this.#error(`drill: unhandled error: ${e.stack ?? e.message}`);
  }
}
