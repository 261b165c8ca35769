// For unit tests of Luneo steps and probes: a RunContext on the lab's resource names, with an audit that records.
import type { AuditLog, PlannedCall, RunContext } from '../../core/model.ts';
import labTarget from '../../targets/lab.ts';
import type { LuneoResources } from './resources.ts';

export interface TestRun extends RunContext<LuneoResources> {
  /** Every audited call, in order. */
  audited: PlannedCall[];
}

export function testRun(resources: Partial<LuneoResources> = {}, opts: { t0?: number } = {}): TestRun {
  const audited: PlannedCall[] = [];
  const audit: AuditLog = {
    async mutate(call, perform) {
      audited.push(call);
      return perform();
    },
  };
  const startedAt = Date.now();
  // Without the lab's bindings that need a running lab (its directory, its Secrets Manager).
  const { lab: _lab, comms: _comms, business: _business, ...labResources } = labTarget.resources;
  return {
    runId: 'run-test-1',
    scenario: { name: 'test' } as RunContext<LuneoResources>['scenario'],
    target: { ...labTarget, name: 'test', resources: { ...labResources, ...resources }, prepare: undefined },
    signal: new AbortController().signal,
    dryRun: false,
    clock: { now: () => Date.now() - startedAt, wall: (mono) => new Date(startedAt + mono), t0: opts.t0 },
    log: { info() {}, warn() {}, debug() {} },
    audit,
    state: new Map(),
    attach: async (name, contentType) => ({ name, contentType, path: name }),
    audited,
  };
}
