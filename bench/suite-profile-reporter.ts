// Where `pnpm test`'s wall time goes: one row per test file (project, when it started and ended relative to the
// run's start, vitest's own split into prepare/collect/tests), the load average at its end, and the run's wall time.
// `pnpm bench test-suite` runs the suite with this reporter added; any run can: `--reporter=./bench/suite-profile-reporter.ts`.
// Written to $SUITE_PROFILE_OUT (default out/test-profile.json).
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { relative } from 'node:path';
import type { Reporter, TestModule, Vitest } from 'vitest/node';

export interface FileProfile {
  file: string;
  project: string;
  /** ms after the run started: the file was handed to a worker / its result came back. */
  startMs: number;
  endMs: number;
  /** vitest's diagnostic: worker set-up, import of the file (collect) and its tests and hooks, ms. */
  prepareMs: number;
  collectMs: number;
  testsMs: number;
  tests: number;
  failed: number;
  load1AtEnd: number;
}

export interface SuiteProfile {
  startedAt: string;
  wallMs: number;
  load1: { start: number; end: number };
  files: FileProfile[];
}

export const DEFAULT_PROFILE_FILE = 'out/test-profile.json';

export default class SuiteProfileReporter implements Reporter {
  private root = process.cwd();
  private started = performance.now();
  private startedAt = new Date().toISOString();
  private load1Start = loadavg()[0] ?? 0;
  private readonly starts = new Map<string, number>();
  private readonly files: FileProfile[] = [];

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
    this.started = performance.now();
    this.startedAt = new Date().toISOString();
    this.load1Start = loadavg()[0] ?? 0;
  }

  onTestModuleQueued(module: TestModule): void {
    this.starts.set(module.moduleId, performance.now() - this.started);
  }

  onTestModuleEnd(module: TestModule): void {
    const d = module.diagnostic();
    const tests = [...module.children.allTests()];
    this.files.push({
      file: relative(this.root, module.moduleId),
      project: module.project.name,
      startMs: Math.round(this.starts.get(module.moduleId) ?? 0),
      endMs: Math.round(performance.now() - this.started),
      prepareMs: Math.round(d.prepareDuration + d.environmentSetupDuration + d.setupDuration),
      collectMs: Math.round(d.collectDuration),
      testsMs: Math.round(d.duration),
      tests: tests.length,
      failed: tests.filter((t) => t.result().state === 'failed').length,
      load1AtEnd: Number((loadavg()[0] ?? 0).toFixed(2)),
    });
  }

  onTestRunEnd(): void {
    const profile: SuiteProfile = {
      startedAt: this.startedAt,
      wallMs: Math.round(performance.now() - this.started),
      load1: { start: Number(this.load1Start.toFixed(2)), end: Number((loadavg()[0] ?? 0).toFixed(2)) },
      files: this.files.sort((a, b) => a.startMs - b.startMs),
    };
    writeFileSync(
      process.env.SUITE_PROFILE_OUT ?? DEFAULT_PROFILE_FILE,
      `${JSON.stringify(profile, null, 2)}\n`,
    );
  }
}
