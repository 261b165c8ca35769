// Lab files run three at a time: on a fresh clone (no vitest cache) the longest ones must start first, or one
// of them starts last and the suite waits minutes on it alone. Durations measured on the 2-core CI machine.
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Seconds per file, from a fresh-clone `pnpm test` (lab files two at a time); others count as short. */
const MEASURED_SECONDS: Record<string, number> = {
  // Also records its lab's AWS traffic for the conformance checks (was drill-traffic.lab.test.ts): 168 s at load 14-16.
  'reports/drill-reports.lab.test.ts': 216,
  // aurora-outage followed on the page with telemetry to local receivers (120 s), then one halted (56 s), load 24-32.
  'live/live-view.lab.test.ts': 190,
  'lab/lab.lab.test.ts': 95,
  // Cases three at a time (core/testing/process-slots.ts): 68 -> 30 s at load 7-11.
  'core/cli/interrupt.lab.test.ts': 30,
  'safety/ci-cancel.lab.test.ts': 100,
  // Two aurora-outage runs under IAM enforcement (a refusal, then a pass), measured under load: 123 s.
  'safety/iam-enforced.lab.test.ts': 123,
  'lab/platform/global-database.lab.test.ts': 50,
  'apps/luneo/safety/readiness.lab.test.ts': 50,
  'core/cli/vitest-runner.lab.test.ts': 55,
  'targets/lab-session.lab.test.ts': 27,
  'lab/db/failover.lab.test.ts': 45,
  'lab/db/replicated-database.lab.test.ts': 33,
  // Builds three template clusters (initdb each): 31 s at load 16.
  'lab/db/template.lab.test.ts': 31,
  'lab/platform/kubernetes.lab.test.ts': 32,
  // Cases three at a time: 53 -> 26 s at load 10-12.
  'core/cli/kill.lab.test.ts': 26,
  // Cases side by side: 56 -> 22 s back to back at load 17-23.
  'core/cli/halt-command.lab.test.ts': 22,
  // Two aurora-outage drills on one lab (halted at a checkpoint; a checkpoint held 3 s), measured at load 24.
  'core/cli/people-in-the-loop.lab.test.ts': 275,
  // The self-test drill --in-process only (the aurora-outage drill's telemetry is checked in live-view): 25 s at load 24-32.
  'core/telemetry/telemetry.lab.test.ts': 30,
  'probes/fidelity.lab.test.ts': 32,
  'lab/platform/subnet-fault.lab.test.ts': 30,
  'safety/interrupt-tee.lab.test.ts': 270,
  // Pipelines side by side: 84 -> 46 s back to back at load 17-20.
  'safety/interrupt-tee-memory.lab.test.ts': 17,
  'safety/permissions.lab.test.ts': 26,
  'apps/luneo/safety/iam-policy.lab.test.ts': 45,
  'lab/platform/dns-failover.lab.test.ts': 25,
  'lab/aws/aws-cli.lab.test.ts': 23,
  'core/cli/cli.lab.test.ts': 40,
  'reports/compliance/render.lab.test.ts': 37,
  'reports/run/render.lab.test.ts': 34,
  'examples/shop/shop.lab.test.ts': 16,
  'apps/luneo/steps/kube-controllers.lab.test.ts': 20,
};

export default class HeavyFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const seconds = (spec: TestSpecification) =>
      MEASURED_SECONDS[relative(this.ctx.config.root, spec.moduleId)] ?? 0;
    const group = (spec: TestSpecification) => spec.project.config.sequence.groupOrder;
    // Projects stay in their group order; within one, the longest measured files first, the rest as vitest sorts them.
    return (await super.sort(files))
      .map((spec, index) => ({ spec, index }))
      .sort((a, b) => group(a.spec) - group(b.spec) || seconds(b.spec) - seconds(a.spec) || a.index - b.index)
      .map(({ spec }) => spec);
  }
}
