// The generic secret step for an app that is not Luneo (its own resources type, bound by selectors), against the
// lab's regional Secrets Manager: a replica copy is promoted and written with its own region's control plane only,
// and a declaration that leaves the promotion out has it refused before it is sent.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../clients/aws/clients.ts';
import type { PlannedCall, RunContext } from '../../core/model.ts';
import { type Harness, startHarness } from '../../lab/aws/testing/harness.ts';
import { CONNECTION_KEY, type Connection } from '../connection.ts';
import { updateSecret } from './secrets.ts';

/** Another team's resources: nothing of Luneo's shape. */
interface ShopResources {
  orders: { dbUrlSecret: string; drRegion: string; drHost: string };
}

const ID = 'prod/luneo/DATABASE_URL'; // the secret the lab's Secrets Manager holds, replicated to us-east-1
let h: Harness;
let aws: AwsClients;
beforeEach(async () => {
  h = await startHarness();
  aws = new AwsClients({ ...h.client('eu-west-1'), maxAttempts: 1, requestTimeoutMs: 2000 });
});
afterEach(async () => {
  aws.destroy();
  await h.close();
});

function run(): RunContext<ShopResources> & { changes: PlannedCall[] } {
  const changes: PlannedCall[] = [];
  const resources = { orders: { dbUrlSecret: ID, drRegion: 'us-east-1', drHost: 'orders-dr.example:5432' } };
  const ctx = {
    runId: 'run-shop-1',
    scenario: { name: 'shop' } as RunContext<ShopResources>['scenario'],
    target: {
      name: 'shop-lab',
      description: 'test',
      kind: 'lab' as const,
      aws: { regions: ['eu-west-1', 'us-east-1'] },
      resources,
    },
    signal: new AbortController().signal,
    dryRun: false,
    clock: { now: () => 0, wall: () => new Date(0), t0: undefined },
    log: { info() {}, warn() {}, debug() {} },
    audit: {
      async mutate<T>(call: PlannedCall, perform: () => Promise<T>) {
        changes.push(call);
        return perform();
      },
    },
    state: new Map<string, unknown>(),
    attach: async (name: string, contentType: string) => ({ name, contentType, path: name }),
    changes,
  };
  const conn = { r: resources, aws, accountId: '111122223333' } as unknown as Connection<ShopResources>;
  ctx.state.set(CONNECTION_KEY, Promise.resolve(conn));
  return ctx;
}

const pointAtDr = (promoteReplica: boolean) =>
  updateSecret<ShopResources>(
    { id: 'orders-db-url', title: 'Point the orders DB URL at the DR database' },
    {
      secretId: (r) => r.orders.dbUrlSecret,
      region: (r) => r.orders.drRegion,
      promoteReplica,
      next: async (_ctx, conn, current) => {
        const url = new URL(current);
        url.host = conn.r.orders.drHost;
        return url.toString();
      },
      unbound: 'no orders DB URL secret',
      tokenTag: 'orders-db-url',
    },
  );

async function drCopy(): Promise<string> {
  const sm = new SecretsManagerClient(h.client('us-east-1'));
  try {
    return (await sm.send(new GetSecretValueCommand({ SecretId: ID }))).SecretString ?? '';
  } finally {
    sm.destroy();
  }
}

describe('updateSecret (generic, another app)', () => {
  it('promotes the DR replica and writes it with the DR region only; the plan is what it did', async () => {
    h.backend.darkRegions.add('eu-west-1');
    const ctx = run();
    const step = pointAtDr(true);
    const result = await step.run(ctx);
    expect(result?.detail).toMatch(
      /^promoted the us-east-1 replica \(was replicated from eu-west-1\); us-east-1 copy now points at orders-dr\.example:5432 \(version /,
    );
    expect(await drCopy()).toBe('postgres://app:s3cret@orders-dr.example:5432/luneo');
    const did = ctx.changes.map((c) => `${c.operation} ${c.scope}`);
    expect(did).toEqual(['StopReplicationToReplica us-east-1', 'PutSecretValue us-east-1']);
    const planned = (step.plan?.(ctx) ?? [])
      .filter((c) => c.mutating)
      .map((c) => `${c.operation} ${c.scope}`);
    expect(planned).toEqual(did);
  });

  it('a declaration without the promotion: the promotion is refused before it is sent, nothing changes', async () => {
    const before = await drCopy();
    const ctx = run();
    await expect(pointAtDr(false).run(ctx)).rejects.toThrow(
      /made an undeclared call, refused before it was sent: secretsmanager StopReplicationToReplica @us-east-1/,
    );
    expect(ctx.changes).toEqual([]);
    expect(await drCopy()).toBe(before);
  });
});
