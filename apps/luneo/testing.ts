// For unit tests of Luneo steps and probes: a RunContext on the lab's resource names, with an audit that records.

import { CONNECTION_KEY, type Connection } from '../../actions/connection.ts';
import type { AwsClients } from '../../clients/aws/clients.ts';
import { S3, s3Client } from '../../clients/aws/s3.ts';
import type { KubeClient } from '../../clients/kube/kube.ts';
import type { AuditLog, PlannedCall, RunContext } from '../../core/model.ts';
import type { LuneoResources } from './resources.ts';
import labTarget from './targets/lab.ts';

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
    target: {
      ...labTarget,
      name: 'test',
      resources: { ...labResources, ...resources },
      prepare: undefined,
      // Only a run given a lab directory reads that lab's lab.json.
      connect: resources.lab ? labTarget.connect : undefined,
    },
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

/** Connects `ctx` to this test's endpoint and Kubernetes client instead of what the target would resolve. */
export function useConnection<C extends RunContext<LuneoResources>>(
  ctx: C,
  with_: { aws: AwsClients; kube?: (context: string) => KubeClient },
): C {
  const conn: Connection<LuneoResources> = {
    r: ctx.target.resources,
    aws: with_.aws,
    s3: (region) => new S3(s3Client(with_.aws.factory.config, region), region, { audit: ctx.audit }),
    kube:
      with_.kube ??
      (() => {
        throw new Error('this test connected no Kubernetes client');
      }),
    kubeconfig: undefined,
    accountId: ctx.target.aws.accountIds?.[0] ?? '000000000000',
  };
  ctx.state.set(CONNECTION_KEY, Promise.resolve(conn));
  return ctx;
}
